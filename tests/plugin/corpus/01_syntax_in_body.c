/* corpus: syntax error inside a behaviour body */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, int k) { self->n += k +; }
