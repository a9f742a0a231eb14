/* Parallel (a) trapezoid, the C limit (see pool.h, common/parallel.h).  trapezoid [pieces] [steps] */
#include "../common/parallel.h"
#include "pool.h"

typedef struct master { pool_actor base; int64_t replies; double sum; } master;

static void done(pool_actor *self, const pool_msg *m) {
    master *s = (master *)self;
    s->replies++;
    s->sum += m->d;
}

static void piece(pool_actor *self, const pool_msg *m) {
    (void)self;
    pool_send(m->ref, done, 0, 0, trapezoid_piece(m->a, m->b >> 32, m->b & 0xffffffff), NULL);
}

int main(int argc, char **argv) {
    int64_t pieces = savina_arg(argc, argv, 1, 4000);
    int64_t steps = savina_arg(argc, argv, 2, 2000);
    pool_init();
    master *ms = pool_spawn(sizeof(master));
    int64_t t0 = savina_now_ns();
    for (int64_t i = 0; i < pieces; i++) /* main plays the master's start */
        pool_send(pool_spawn(sizeof(pool_actor)), piece, i, pieces << 32 | steps, 0, &ms->base);
    int threads = pool_run();
    int64_t t1 = savina_now_ns();
    double want = trapezoid_expected(pieces, steps);
    if (ms->replies != pieces || !trapezoid_close(ms->sum, want))
        savina_fail("trapezoid", "%lld pieces (want %lld), area %.12g (want %.12g)",
                    (long long)ms->replies, (long long)pieces, ms->sum, want);
    savina_report("trapezoid", "pool", threads, pieces, t1 - t0);
    return 0;
}
