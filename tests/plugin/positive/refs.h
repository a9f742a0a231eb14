/* Behaviour references (issue 12 item 11): what the front ends hand the
 * runtime for alox_after, alox_monitor and alox_watch_fd. refs_actor.c
 * defines the behaviours, refs_main.c uses the APIs from main and from a
 * behaviour, refs_record.c stands in for the runtime's entry points
 * (defined in the program, so they win over libalox's) and records what
 * arrives. The units can come from different front ends. */
#ifndef REFS_H
#define REFS_H
#include <alox.h>

struct point { double x, y; };
struct alox_actor watcher {
    int64_t ticks;
    double sum;
    int pokes;
    uint64_t down_id;
    alox_down_reason down_reason;
    int ready_fd;
    uint32_t ready_events;
};
struct alox_actor victim { int n; };

alox_behave void tick(struct watcher *self, int32_t n, struct point p);
alox_behave void poke(struct watcher *self);
alox_behave void on_down(struct watcher *self, uint64_t target_id, alox_down_reason reason);
alox_behave void on_ready(struct watcher *self, int fd, uint32_t events);
alox_behave void start(struct watcher *self, struct victim *v);

/* refs_record.c */
enum record_kind { REC_AFTER = 1, REC_MONITOR, REC_WATCH, REC_CANCEL, REC_DEMONITOR, REC_UNWATCH };
struct record {
    enum record_kind kind;
    uint64_t delay_ms, id;
    void *target, *self;
    int fd;
    uint32_t events;
    const alox_behaviour_desc *desc;
    unsigned char args[64];
};
int record_count(void);
const struct record *record_at(int i);
#endif
