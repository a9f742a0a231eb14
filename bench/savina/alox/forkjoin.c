/*
 * Savina (d) fork-join creation, Alox: a driver spawns N actors (all alive
 * at once), then sends each one message; each answers the driver with a
 * value computed from it, and the driver sums the answers.
 *     forkjoin [actors=1000000]
 */
#include <alox.h>

#include "../common/savina.h"

struct alox_actor fj_driver { struct fj_worker **workers; int64_t n; int64_t replies; int64_t sum; };
struct alox_actor fj_worker { int64_t value; };

static int64_t final_replies, final_sum; /* written by the driver as it stops, read after alox_run */

alox_behave void fj_done(struct fj_driver *self, int64_t value) {
    self->replies++;
    self->sum += value;
    if (self->replies < self->n)
        return;
    final_replies = self->replies;
    final_sum = self->sum;
    free(self->workers);
    alox_stop(self);
}

alox_behave void fj_go(struct fj_worker *self, int64_t i, struct fj_driver *driver) {
    self->value = savina_forkjoin_value(i);
    fj_done(driver, self->value);
    alox_stop(self); /* done: its memory goes back (CAF and Erlang end theirs too) */
}

alox_behave void fj_start(struct fj_driver *self, int64_t n) {
    self->n = n;
    self->workers = malloc(sizeof *self->workers * (size_t)n);
    if (!self->workers)
        savina_fail("forkjoin", "out of memory");
    for (int64_t i = 0; i < n; i++)
        self->workers[i] = alox_new(struct fj_worker);
    for (int64_t i = 0; i < n; i++)
        fj_go(self->workers[i], i, self);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t n = savina_arg(argc, argv, 1, 1000000);
    struct fj_driver *d = alox_new(struct fj_driver);
    int64_t t0 = savina_now_ns();
    fj_start(d, n);
    if (alox_run() != 0)
        savina_fail("forkjoin", "alox_run failed");
    int64_t t1 = savina_now_ns();
    int64_t want = savina_forkjoin_expected(n);
    if (final_replies != n || final_sum != want)
        savina_fail("forkjoin", "%lld replies (want %lld), sum %lld (want %lld)",
                    (long long)final_replies, (long long)n, (long long)final_sum, (long long)want);
    savina_report("forkjoin", "alox", alox_threads(), n, t1 - t0);
    return 0;
}
