/* corpus: alox_new in a file-scope initializer */
#include <alox.h>
struct alox_actor a { int n; };
struct a *g = alox_new(struct a);
