/* Rule: a behaviour has a prototype (its first parameter is the actor). */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f();
// expect 4:18: behaviour 'f' has no prototype: its first parameter is the actor that runs it ('struct ACTOR *self')
// rule: no-prototype
