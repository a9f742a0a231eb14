/* Rule: a struct with a flexible array member cannot be sent by value. */
#include <alox.h>
struct alox_actor sink { int n; };
struct blob { int len; char data[]; };
alox_behave void put(struct sink *self, struct blob b);
// expect 5:53: parameter 'b' of behaviour 'put' has a flexible array member 'data': a message has a fixed size; give the array a fixed length
// rule: flexible-array
