/* corpus: behaviour returning an actor by value */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave struct a f(struct a *self);
