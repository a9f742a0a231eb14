/* corpus: explicit &behaviour */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, int k);
void *p(void) { return (void *)&f; }
