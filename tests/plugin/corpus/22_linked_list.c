/* corpus: self-referential struct sent by value */
#include <alox.h>
struct alox_actor a { int n; };
struct node { int v; struct node *next; };
alox_behave void f(struct a *self, struct node n);
