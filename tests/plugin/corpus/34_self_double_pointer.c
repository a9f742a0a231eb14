/* corpus: self is a pointer to pointer */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f(struct a **self, int k);
