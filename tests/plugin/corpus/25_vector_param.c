/* corpus: vector parameter */
#include <alox.h>
typedef int v4 __attribute__((vector_size(16)));
struct alox_actor a { int n; };
alox_behave void f(struct a *self, v4 v);
