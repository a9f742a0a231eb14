/* corpus: unknown type name in a behaviour */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, unknown_t v) { (void)v; }
void g(struct a *x) { f(x, 3); }
