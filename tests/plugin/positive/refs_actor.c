/* The behaviours of refs.h (see there). */
#include "refs.h"

alox_behave void tick(struct watcher *self, int32_t n, struct point p) {
    self->ticks += n;
    self->sum += p.x + p.y;
}

alox_behave void poke(struct watcher *self) { self->pokes++; }

alox_behave void on_down(struct watcher *self, uint64_t target_id, alox_down_reason reason) {
    self->down_id = target_id;
    self->down_reason = reason;
}

alox_behave void on_ready(struct watcher *self, int fd, uint32_t events) {
    self->ready_fd = fd;
    self->ready_events = events;
}

/* From inside a behaviour, on self. */
alox_behave void start(struct watcher *self, struct victim *v) {
    alox_after(10, tick(self, 3, (struct point){0.25, 0.5}));
    alox_monitor(self, v, on_down);
}
