/* Rule: a struct containing a non-actor pointer cannot be sent. */
#include <alox.h>
struct alox_actor sink { int n; };
struct msg { int len; struct { double w; int *data; } body; };
alox_behave void put(struct sink *self, struct msg m);
// expect 5:52: parameter 'm' of behaviour 'put' contains a plain pointer 'int *' (member 'body.data'): only actor references and alox_stage pointers can be sent; copy the data into the struct (a fixed array) or mark the member alox_stage
// rule: plain-pointer-member
