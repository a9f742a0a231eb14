/* Misuse of the annotations is an error, never an ignored attribute. */
#include <alox.h>
alox_behave int counter;
typedef int alox_actor number;
struct alox_actor pinger { int n; };
alox_stage int *global_stage;
// expect 3:17: 'alox_behave' marks a function as a behaviour; write 'alox_behave void NAME(struct ACTOR *self, ...)'
// expect 4:24: 'alox_actor' marks a struct definition as an actor type; write 'struct alox_actor NAME { ... };'
// expect 6:17: 'alox_stage' marks a pointer parameter of a behaviour (or a pointer member of a struct sent by value); put it before the parameter: 'alox_stage const char *text'
// rule: behave-misplaced actor-misplaced stage-misplaced
