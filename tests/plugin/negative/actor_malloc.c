/* Rule: an actor struct is never allocated with malloc. */
#include <alox.h>
#include <stdlib.h>
struct alox_actor counter { int n; };
struct counter *make(void) {
    struct counter *c = malloc(sizeof *c);
    return c;
}
// expect 6:25: actor struct 'struct counter' allocated with 'malloc': an actor lives in the runtime, with a header and a mailbox; create it with 'alox_new(struct counter)'
// rule: actor-malloc
