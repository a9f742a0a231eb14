/* corpus: call before declaration with too few arguments, then declared a behaviour */
#include <alox.h>
struct alox_actor a { int n; };
void g(struct a *x) { f(x); }
alox_behave void f(struct a *self, int k) { self->n = k; }
