/* Rule: an actor struct is never declared by value (global array). */
#include <alox.h>
struct alox_actor counter { int n; };
typedef struct counter counter_t;
counter_t all[4];
// expect 5:11: 'all' declares actor struct 'struct counter' by value: actors are created only with 'alox_new(struct counter)' and used through references; declare 'struct counter *all' instead
// rule: variable-actor-by-value
