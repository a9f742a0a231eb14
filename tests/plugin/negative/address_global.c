/* Rule: a behaviour's address cannot be taken (file-scope initializer). */
#include <alox.h>
struct alox_actor counter { int n; };
alox_behave void add(struct counter *self, int k);
struct table { const char *name; void (*fn)(struct counter *, int); };
static struct table table[] = {{"add", add}};
// expect 6:40: taking the address of behaviour 'add': a call through a function pointer would run it synchronously instead of sending a message; call it by name, or take the address of an ordinary function that calls it
// rule: address-taken
