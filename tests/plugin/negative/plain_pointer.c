/* Rule: a plain pointer cannot be sent. */
#include <alox.h>
struct alox_actor greeter { int n; };
alox_behave void greet(struct greeter *self, char *name);
// expect 4:52: parameter 'name' of behaviour 'greet' is a plain pointer 'char *': only actor references and alox_stage pointers can be sent; pass the data by value in a struct, or mark it alox_stage
// rule: plain-pointer
