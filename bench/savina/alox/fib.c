/*
 * Parallel (c) fib, Alox: fib(n) with one actor per call while the
 * argument is above the cut-off: it creates two children for n - 1 and
 * n - 2, adds their answers and sends the sum to its parent; at or below
 * the cut-off it computes sequentially. See common/parallel.h.
 *     fib [n=38] [cutoff=22]
 */
#include <alox.h>

#include "../common/parallel.h"
#include "../common/savina.h"

struct alox_actor fib_node { struct fib_node *parent; int64_t sum; int32_t got; };

static int64_t final_value = -1; /* written by the root, read after alox_run */

static void answer(struct fib_node *parent, int64_t value);

alox_behave void fib_result(struct fib_node *self, int64_t value) {
    self->sum += value;
    if (++self->got == 2) {
        answer(self->parent, self->sum);
        alox_stop(self); /* answered: done (CAF quits, Erlang and Go return) */
    }
}

alox_behave void fib_start(struct fib_node *self, int32_t n, int32_t cutoff, struct fib_node *parent) {
    self->parent = parent;
    if (n <= cutoff) {
        answer(parent, fib_sequential(n));
        alox_stop(self);
        return;
    }
    fib_start(alox_new(struct fib_node), n - 1, cutoff, self);
    fib_start(alox_new(struct fib_node), n - 2, cutoff, self);
}

static void answer(struct fib_node *parent, int64_t value) {
    if (parent)
        fib_result(parent, value);
    else
        final_value = value;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int32_t n = (int32_t)savina_arg(argc, argv, 1, 38);
    int32_t cutoff = (int32_t)savina_arg(argc, argv, 2, 22);
    int64_t t0 = savina_now_ns();
    fib_start(alox_new(struct fib_node), n, cutoff, NULL);
    if (alox_run() != 0)
        savina_fail("fib", "alox_run failed");
    int64_t t1 = savina_now_ns();
    if (final_value != fib_iterative(n))
        savina_fail("fib", "fib(%d) = %lld (want %lld)", n, (long long)final_value,
                    (long long)fib_iterative(n));
    savina_report("fib", "alox", alox_threads(), fib_actors(n, cutoff), t1 - t0);
    return 0;
}
