/* Rule: a callback runs on self's actor type, and self is an actor reference. */
#include <alox.h>
struct alox_actor w { int n; };
struct alox_actor other { int n; };
alox_behave void on_down(struct other *self, uint64_t id, alox_down_reason reason);
void watch(struct w *me, struct other *them, void *anything) {
    alox_monitor(me, them, on_down);
    alox_monitor(anything, them, on_down);
}
// expect 7:28: behaviour 'on_down' passed as 'on_down' to 'alox_monitor' runs on 'struct other', but it is sent to self, a reference to 'struct w': pass a behaviour of self's actor, 'alox_behave void on_down(struct w *self, uint64_t target_id, alox_down_reason reason)'
// expect 8:34: argument 'self' of 'alox_monitor' has type 'void *': 'on_down' is sent to self, so self must be a reference to an actor ('struct ACTOR *')
// rule: ref-self-mismatch ref-self-not-actor
