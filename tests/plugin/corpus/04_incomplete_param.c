/* corpus: incomplete struct by value in a definition */
#include <alox.h>
struct alox_actor a { int n; };
struct missing;
alox_behave void f(struct a *self, struct missing m) { (void)m; }
