/* Rule: an actor struct is never passed by value, behaviour or not. */
#include <alox.h>
struct alox_actor counter { int n; };
int peek(struct counter c) { return c.n; }
alox_behave void copy(struct counter *self, struct counter other);
void poke(int n, struct counter c);
// expect 4:25: parameter 'c' takes actor struct 'struct counter' by value: an actor is never copied; pass a reference ('struct counter *')
// expect 5:60: parameter 'other' of behaviour 'copy' takes actor struct 'struct counter' by value: an actor is never copied; pass a reference ('struct counter *')
// expect 6:33: parameter 'c' takes actor struct 'struct counter' by value: an actor is never copied; pass a reference ('struct counter *')
// rule: parameter-actor-by-value param-actor-by-value
