/* Rule: a call to a behaviour passes its arguments (possible to get wrong
 * only through a declaration without a prototype). */
#include <alox.h>
struct alox_actor a { int n; };
void f();
void g(struct a *x) {
    f(x);
}
alox_behave void f(struct a *self, int k) { self->n = k; }
// expect 7:5: call to behaviour 'f' with the wrong number of arguments (1 given, 2 taken: its actor and 1 more); declare the behaviour with its prototype before calling it
// rule: call-arity
