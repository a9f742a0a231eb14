/* corpus: call with an argument of the wrong struct type */
#include <alox.h>
struct alox_actor a { int n; };
struct p { int x; };
struct q { int y; };
alox_behave void f(struct a *self, struct p v);
void g(struct a *x, struct q w) { f(x, w); }
