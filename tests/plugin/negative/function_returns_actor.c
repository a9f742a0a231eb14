/* Rule: no function returns an actor struct by value. */
#include <alox.h>
struct alox_actor counter { int n; };
struct counter make(void);
// expect 4:16: function 'make' returns actor struct 'struct counter' by value: an actor is never copied; return a reference ('struct counter *')
// rule: function-returns-actor
