/* Rule: a behaviour's address cannot be taken, even through a plain
 * declaration that came before its alox_behave one (issue 12 item 4b). */
#include <alox.h>
struct alox_actor counter { int64_t n; };
void bump(struct counter *self, int64_t k);
void (*hook)(struct counter *, int64_t) = bump;
void install(void) {
    hook = bump;
}
alox_behave void bump(struct counter *self, int64_t k) { self->n += k; }
// expect 6:43: taking the address of behaviour 'bump': a call through a function pointer would run it synchronously instead of sending a message; call it by name, or take the address of an ordinary function that calls it
// expect 8:12: taking the address of behaviour 'bump': a call through a function pointer would run it synchronously instead of sending a message; call it by name, or take the address of an ordinary function that calls it
// rule: address-taken
