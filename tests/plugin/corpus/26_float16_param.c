/* corpus: _Float16 parameter */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a *self, _Float16 h);
