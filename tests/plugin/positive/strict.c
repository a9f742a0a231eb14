/* Issue 12 item 5: alox.h is clean under the strictest flags a C project
 * uses (C99 and C11, -Wpedantic, -Wall -Wextra -Werror and more; see
 * tests/plugin/CMakeLists.txt), with both front ends, when the headers
 * are not in a system directory. Every macro of alox.h is used here. */
#include <alox.h>
#include <stdio.h>

struct alox_actor clock_actor { int64_t ticks; uint64_t down; int ready; };

alox_behave void tick(struct clock_actor *self, int32_t n);
alox_behave void tick(struct clock_actor *self, int32_t n) { self->ticks += n; }

alox_behave void down(struct clock_actor *self, uint64_t target_id, alox_down_reason reason);
alox_behave void down(struct clock_actor *self, uint64_t target_id, alox_down_reason reason) {
    self->down = target_id + (uint64_t)reason;
}

alox_behave void ready(struct clock_actor *self, int fd, uint32_t events);
alox_behave void ready(struct clock_actor *self, int fd, uint32_t events) {
    self->ready = fd + (int)events;
}

/* Never called: compiled, checked and rewritten like any other code (the
 * entry points it reaches come from refs_record.c until the runtime has them). */
void later(struct clock_actor *self, struct clock_actor *other);
void later(struct clock_actor *self, struct clock_actor *other) {
    alox_timer t = alox_after(10, tick(self, 1));
    alox_monitor_ref m = alox_monitor(self, other, down);
    if (alox_watch_fd(self, 0, ALOX_READ | ALOX_WRITE, ready) == 0)
        alox_unwatch_fd(0);
    if (!alox_cancel(t))
        alox_demonitor(m);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    struct clock_actor *c = alox_new(struct clock_actor);
    if (argc > 1000) { /* distribution: compiled, not run */
        struct clock_actor *remote = alox_new_on("elsewhere", struct clock_actor);
        struct clock_actor *found = alox_lookup(struct clock_actor, "elsewhere", "clock", 10);
        printf("%u %llu\n", (unsigned)ALOX_ID_NODE(alox_id(remote)),
               (unsigned long long)ALOX_ID_SERIAL(alox_id(found)));
        later(c, found);
    }
    tick(c, 3);
    if (alox_run() != 0 || c->ticks != 3)
        return 1;
    puts("strict: ok");
    return 0;
}
