/* corpus: variable-length array parameter */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, int n, int v[n]) { self->n = v[0]; }
