/* Rule: a behaviour's address cannot be taken (in a function). */
#include <alox.h>
struct alox_actor counter { int n; };
alox_behave void add(struct counter *self, int k) { self->n += k; }
void (*hook)(struct counter *, int);
void install(void) {
    hook = add;
}
// expect 7:12: taking the address of behaviour 'add': a call through a function pointer would run it synchronously instead of sending a message; call it by name, or take the address of an ordinary function that calls it
// rule: address-taken
