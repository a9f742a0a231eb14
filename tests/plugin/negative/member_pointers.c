/* Rule: a struct sent by value holds no function pointer, and no union
 * with a pointer, however deep. */
#include <alox.h>
struct alox_actor w { int n; };
struct job { void (*fn)(int); int n; };
union slot { int *p; int i; };
struct holder { int tag; union slot s; };
alox_behave void run(struct w *self, struct job j);
alox_behave void hold(struct w *self, struct holder h);
// expect 8:49: parameter 'j' of behaviour 'run' contains a function pointer 'void (*)(int)' (member 'fn'): code addresses cannot be sent to an actor; send a value (an enum or integer) that selects the function instead
// expect 9:53: parameter 'h' of behaviour 'hold' contains a union 'union slot' with a pointer (member 's'): the runtime cannot tell which member is active, so it can neither check nor translate the pointer; send a struct instead
// rule: function-pointer-member union-pointer-member
