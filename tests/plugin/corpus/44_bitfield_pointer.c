/* corpus: union in an array in a struct with a pointer */
#include <alox.h>
struct alox_actor a { int n; };
struct s { unsigned f : 3; union { int i; char *p; } u[2]; };
alox_behave void f(struct a *self, struct s v);
