/* corpus: array of function pointers in a struct */
#include <alox.h>
struct alox_actor a { int n; };
struct ops { int (*fn[3])(int); };
alox_behave void f(struct a *self, struct ops o);
