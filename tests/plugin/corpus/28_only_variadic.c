/* corpus: variadic right after self */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, ...);
void g(struct a *x) { f(x, 1, 2.0); }
