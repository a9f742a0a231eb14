/* corpus: behaviour defined twice */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, int k) { self->n = k; }
alox_behave void f(struct a *self, int k) { self->n = -k; }
