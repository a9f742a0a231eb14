/* corpus: incomplete struct by value in a prototype and a call */
#include <alox.h>
struct alox_actor a { int n; };
struct later;
alox_behave void f(struct a *self, struct later l);
void g(struct a *x, struct later *l) { f(x, *l); }
