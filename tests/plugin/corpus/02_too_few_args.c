/* corpus: behaviour called with too few arguments */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, int k);
void g(struct a *x) { f(x); }
