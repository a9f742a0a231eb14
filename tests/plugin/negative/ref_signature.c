/* Rule: a callback has the parameters the API sends. */
#include <alox.h>
struct alox_actor w { int n; };
alox_behave void down_short(struct w *self, uint64_t id);
alox_behave void down_int(struct w *self, int id, alox_down_reason reason);
alox_behave void ready_swapped(struct w *self, unsigned int events, int fd);
alox_behave void go(struct w *self, struct w *other) {
    alox_monitor(self, other, down_short);
    alox_monitor(self, other, down_int);
    alox_watch_fd(self, 3, ALOX_WRITE, ready_swapped);
}
// expect 8:31: behaviour 'down_short' passed as 'on_down' to 'alox_monitor' has the wrong number of parameters (1 after self, where 'alox_monitor' sends 2): declare it 'alox_behave void down_short(struct w *self, uint64_t target_id, alox_down_reason reason)'
// expect 9:31: parameter 'id' of behaviour 'down_int', passed as 'on_down' to 'alox_monitor', has type 'int' where 'alox_monitor' sends 'uint64_t target_id': declare the behaviour 'alox_behave void down_int(struct w *self, uint64_t target_id, alox_down_reason reason)'
// expect 10:40: parameter 'events' of behaviour 'ready_swapped', passed as 'on_ready' to 'alox_watch_fd', has type 'unsigned int' where 'alox_watch_fd' sends 'int fd': declare the behaviour 'alox_behave void ready_swapped(struct w *self, int fd, uint32_t events)'
// rule: ref-param-count ref-param-type
