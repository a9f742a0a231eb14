/*
 * Savina (a) ping-pong, Alox: two actors bounce a counter N times; every
 * message carries an int and the sender's reference.
 *     pingpong [round_trips=1000000]
 */
#include <alox.h>

#include "../common/savina.h"

struct ponger;
struct alox_actor pinger { int64_t hits; };
struct alox_actor ponger { int64_t hits; };

alox_behave void pong(struct ponger *self, int32_t n, struct pinger *from);

static int64_t pinger_hits, ponger_hits; /* written as each stops, read after alox_run */

alox_behave void ping(struct pinger *self, int32_t n, struct ponger *to) {
    self->hits++;
    if (n > 0) {
        pong(to, n - 1, self);
        return;
    }
    pinger_hits = self->hits;
    alox_stop(self); /* done (CAF and Erlang end theirs too) */
}

alox_behave void pong(struct ponger *self, int32_t n, struct pinger *from) {
    self->hits++;
    ping(from, n, self);
    if (n == 0) { /* that was the last one */
        ponger_hits = self->hits;
        alox_stop(self);
    }
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t n = savina_arg(argc, argv, 1, 1000000);
    struct pinger *a = alox_new(struct pinger);
    struct ponger *b = alox_new(struct ponger);
    int64_t t0 = savina_now_ns();
    ping(a, (int32_t)n, b);
    if (alox_run() != 0)
        savina_fail("pingpong", "alox_run failed");
    int64_t t1 = savina_now_ns();
    if (pinger_hits != n + 1 || ponger_hits != n)
        savina_fail("pingpong", "pinger got %lld (want %lld), ponger %lld (want %lld)",
                    (long long)pinger_hits, (long long)(n + 1), (long long)ponger_hits, (long long)n);
    savina_report("pingpong", "alox", alox_threads(), 2 * n, t1 - t0);
    return 0;
}
