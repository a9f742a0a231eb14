/* Rule: only the listed kinds of values can be sent (a complex number cannot). */
#include <alox.h>
struct alox_actor w { int n; };
struct pair { int n; _Complex double z; };
alox_behave void put(struct w *self, _Complex double z);
alox_behave void put_in(struct w *self, struct pair p);
// expect @gcc 5:54: parameter 'z' of behaviour 'put' has type 'complex double', which cannot be sent: send integers, floats, bool, enums, actor references, alox_stage pointers, or structs of them (which may hold fixed arrays)
// expect @gcc 6:53: parameter 'p' of behaviour 'put_in' contains type 'complex double' (member 'z'), which cannot be sent: send integers, floats, bool, enums, actor references, alox_stage pointers, or structs of them (which may hold fixed arrays)
// expect @clang 5:54: parameter 'z' of behaviour 'put' has type '_Complex double', which cannot be sent: send integers, floats, bool, enums, actor references, alox_stage pointers, or structs of them (which may hold fixed arrays)
// expect @clang 6:53: parameter 'p' of behaviour 'put_in' contains type '_Complex double' (member 'z'), which cannot be sent: send integers, floats, bool, enums, actor references, alox_stage pointers, or structs of them (which may hold fixed arrays)
// rule: not-sendable not-sendable-member
