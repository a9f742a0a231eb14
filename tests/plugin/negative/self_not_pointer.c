/* Rule: the first parameter is a pointer to an alox_actor struct. */
#include <alox.h>
alox_behave void tick(int self, int n);
// expect 3:27: first parameter 'self' of behaviour 'tick' has type 'int': the first parameter of a behaviour is the actor that runs it, a pointer to an alox_actor struct ('struct ACTOR *self')
// rule: self-not-pointer
