/* Rule: alox_stage marks pointers only. */
#include <alox.h>
struct alox_actor sink { int n; };
alox_behave void put(struct sink *self, alox_stage int count);
// expect 4:56: 'alox_stage' on 'count' of type 'int': alox_stage marks a pointer into memory of this process; remove it, or make 'count' a pointer
// rule: stage-not-pointer
