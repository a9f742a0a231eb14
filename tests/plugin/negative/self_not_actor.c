/* Rule: the first parameter points to an alox_actor struct, not any struct. */
#include <alox.h>
struct plain { int n; };
alox_behave void tick(struct plain *self, int n) { self->n = n; }
// expect 4:37: first parameter 'self' of behaviour 'tick' points to 'struct plain', which is not an actor struct: declare it 'struct alox_actor plain { ... };' (alox_actor takes effect on the definition with the members, not on a forward declaration or a typedef of it)
// rule: self-not-actor
