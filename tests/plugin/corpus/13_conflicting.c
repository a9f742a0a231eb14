/* corpus: conflicting redeclaration of a behaviour */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, int k);
alox_behave void f(struct a *self, long k) { self->n = k; }
