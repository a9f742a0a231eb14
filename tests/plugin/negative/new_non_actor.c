/* Rule: alox_new(T) needs an alox_actor struct. */
#include <alox.h>
struct plain { int n; };
void *make(void) {
    return alox_new(struct plain);
}
// expect 5:12: 'alox_new(struct plain)': 'struct plain' is not an actor struct; declare it 'struct alox_actor NAME { ... };' (alox_actor takes effect on the definition with the members, not on a forward declaration or a typedef of it)
// rule: new-not-actor
