/* Issue 12 item 2: an anonymous actor struct, named by its typedef; its
 * behaviours are defined in anon_actor_peer.c and sent to from
 * anon_actor.c (possibly built by the other front end). */
#ifndef ANON_ACTOR_H
#define ANON_ACTOR_H
#include <alox.h>
typedef struct alox_actor { int64_t n; int64_t hits; } counter_t;
typedef struct alox_actor { counter_t *peer; int64_t got; } asker_t;
alox_behave void add(counter_t *self, int64_t k, asker_t *from);
alox_behave void answer(asker_t *self, int64_t n);
#endif
