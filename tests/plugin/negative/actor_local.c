/* Rule: an actor struct is never declared by value (local variable). */
#include <alox.h>
struct alox_actor counter { int n; };
int f(void) {
    struct counter c = {0};
    return c.n;
}
// expect 5:20: 'c' declares actor struct 'struct counter' by value: actors are created only with 'alox_new(struct counter)' and used through references; declare 'struct counter *c' instead
// rule: variable-actor-by-value
