/* Rule: a function pointer cannot be sent. */
#include <alox.h>
struct alox_actor worker { int n; };
alox_behave void run(struct worker *self, void (*job)(int)) { job(self->n); }
// expect 4:50: parameter 'job' of behaviour 'run' is a function pointer 'void (*)(int)': code addresses cannot be sent to an actor; send a value (an enum or integer) that selects the function instead
// rule: function-pointer
