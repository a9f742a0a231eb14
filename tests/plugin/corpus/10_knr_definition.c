/* corpus: K&R style behaviour definition */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(self, k) struct a *self; char *k; { self->n = *k; }
