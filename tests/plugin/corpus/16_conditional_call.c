/* corpus: call through a conditional of behaviours */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, int k);
alox_behave void g(struct a *self, int k);
void h(struct a *x, int c) { (c ? f : g)(x, 1); }
