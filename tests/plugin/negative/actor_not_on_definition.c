/* Rule: alox_actor takes effect on the struct's definition only, not on a
 * typedef of a struct defined later (issue 12 item 4a: one rule for both
 * front ends; GCC drops the attribute there). */
#include <alox.h>
typedef struct alox_actor foo foo_t;
struct foo { int x; };
alox_behave void poke(struct foo *self, int n);
void make(void) {
    foo_t *f = alox_new(foo_t);
    (void)f;
}
// expect 7:35: first parameter 'self' of behaviour 'poke' points to 'struct foo', which is not an actor struct: declare it 'struct alox_actor foo { ... };' (alox_actor takes effect on the definition with the members, not on a forward declaration or a typedef of it)
// expect 9:16: 'alox_new(struct foo)': 'struct foo' is not an actor struct; declare it 'struct alox_actor NAME { ... };' (alox_actor takes effect on the definition with the members, not on a forward declaration or a typedef of it)
// rule: self-not-actor new-not-actor
