/* corpus: complex parameter */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, _Complex double z);
