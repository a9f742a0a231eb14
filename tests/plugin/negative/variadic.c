/* Rule: a behaviour is not variadic. */
#include <alox.h>
struct alox_actor logger { int n; };
alox_behave void logf(struct logger *self, int level, ...);
// expect 4:18: behaviour 'logf' is variadic: a message has a fixed layout, so '...' cannot be sent; give it fixed parameters (a struct for many values)
// rule: variadic
