/* Rule: an actor struct is never a member by value. */
#include <alox.h>
struct alox_actor counter { int n; };
struct pair { struct counter first; struct counter *second; };
// expect 4:30: member 'first' holds actor struct 'struct counter' by value: an actor is never part of another object; store a reference ('struct counter *') made with 'alox_new(struct counter)'
// rule: member-actor-by-value
