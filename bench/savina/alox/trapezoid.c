/*
 * Parallel (a) trapezoid, Alox: a master creates one worker actor per
 * piece of the integral and sends each its piece; each computes it (tens
 * of µs of arithmetic) and sends the area back; the master adds them up.
 * See common/parallel.h.
 *     trapezoid [pieces=4000] [steps=2000]
 */
#include <alox.h>

#include "../common/parallel.h"
#include "../common/savina.h"

struct alox_actor trap_master { int64_t replies; double sum; };
struct alox_actor trap_worker { int64_t unused; };

alox_behave void trap_done(struct trap_master *self, double area) {
    self->replies++;
    self->sum += area;
}

alox_behave void trap_piece(struct trap_worker *self, int64_t index, int64_t pieces, int64_t steps,
                            struct trap_master *master) {
    trap_done(master, trapezoid_piece(index, pieces, steps));
    alox_stop(self); /* its one piece is done (CAF quits, Erlang and Go return) */
}

alox_behave void trap_start(struct trap_master *self, int64_t pieces, int64_t steps) {
    for (int64_t i = 0; i < pieces; i++)
        trap_piece(alox_new(struct trap_worker), i, pieces, steps, self);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t pieces = savina_arg(argc, argv, 1, 4000);
    int64_t steps = savina_arg(argc, argv, 2, 2000);
    struct trap_master *m = alox_new(struct trap_master);
    int64_t t0 = savina_now_ns();
    trap_start(m, pieces, steps);
    if (alox_run() != 0)
        savina_fail("trapezoid", "alox_run failed");
    int64_t t1 = savina_now_ns();
    double want = trapezoid_expected(pieces, steps);
    if (m->replies != pieces || !trapezoid_close(m->sum, want))
        savina_fail("trapezoid", "%lld pieces (want %lld), area %.12g (want %.12g)",
                    (long long)m->replies, (long long)pieces, m->sum, want);
    savina_report("trapezoid", "alox", alox_threads(), pieces, t1 - t0);
    return 0;
}
