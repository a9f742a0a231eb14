/* Rule: a behaviour returns void. */
#include <alox.h>
struct alox_actor counter { int n; };
alox_behave int get(struct counter *self) { return self->n; }
// expect 4:17: behaviour 'get' returns 'int': a behaviour runs later, on its actor, so the caller cannot get a value back; make it return void and send the result back with another behaviour
// rule: returns-value
