/* Rule: a union containing a pointer cannot be sent. */
#include <alox.h>
struct alox_actor sink { int n; };
union value { long i; const char *s; };
alox_behave void put(struct sink *self, union value v);
// expect 5:53: parameter 'v' of behaviour 'put' is a union 'union value' containing a pointer: the runtime cannot tell which member is active, so it can neither check nor translate the pointer; send a struct instead
// rule: union-pointer
