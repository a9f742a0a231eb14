/* Rule: an actor struct is never made as a compound literal. */
#include <alox.h>
struct alox_actor counter { int n; };
int peek(void) {
    return ((struct counter){1}).n;
}
// expect 5:29: compound literal of actor struct 'struct counter': actors are created only with 'alox_new(struct counter)' and used through references
// rule: compound-literal-actor
