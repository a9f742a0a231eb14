/* corpus: pointer to an actor pointer */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, struct a **out);
