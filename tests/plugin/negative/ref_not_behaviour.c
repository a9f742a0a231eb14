/* Rule: alox_monitor and alox_watch_fd name a behaviour declared before that point. */
#include <alox.h>
struct alox_actor w { int n; };
void plain_down(struct w *self, uint64_t id, alox_down_reason reason);
alox_behave void go(struct w *self, struct w *other) {
    alox_monitor(self, other, plain_down);
    alox_watch_fd(self, 0, ALOX_READ, &plain_down);
}
// expect 6:31: argument 'on_down' of 'alox_monitor' does not name a behaviour: 'alox_monitor' sends 'on_down' to self later, so pass the name of a behaviour declared before this point, 'alox_behave void plain_down(struct w *self, uint64_t target_id, alox_down_reason reason)'
// expect 7:39: argument 'on_ready' of 'alox_watch_fd' does not name a behaviour: 'alox_watch_fd' sends 'on_ready' to self later, so pass the name of a behaviour declared before this point, 'alox_behave void plain_down(struct w *self, int fd, uint32_t events)'
// rule: ref-not-behaviour
