/* corpus: array of actors in a struct, and by value in a behaviour */
#include <alox.h>
struct alox_actor a { int n; };
struct team { struct a members[3]; };
alox_behave void f(struct a *self, struct team t);
