/* Rule: a behaviour has at least its actor as parameter. */
#include <alox.h>
alox_behave void nobody(void);
// expect 3:18: behaviour 'nobody' has no parameters: its first parameter is the actor that runs it ('struct ACTOR *self')
// rule: no-parameters
