/*
 * Savina (b) counting, Alox: one producer sends N numbers to one counter,
 * which counts and sums them.
 *     counting [messages=10000000]
 */
#include <alox.h>

#include "../common/savina.h"

struct alox_actor counter { int64_t count; int64_t sum; };
struct alox_actor producer { int64_t unused; };

static int64_t final_count, final_sum; /* written by the counter as it stops, read after alox_run */

alox_behave void add(struct counter *self, int64_t value) {
    self->count++;
    self->sum += value;
}

alox_behave void finish(struct counter *self) {
    final_count = self->count;
    final_sum = self->sum;
    alox_stop(self); /* done (CAF and Erlang end theirs too) */
}

alox_behave void produce(struct producer *self, int64_t messages, struct counter *to) {
    for (int64_t i = 0; i < messages; i++)
        add(to, i);
    finish(to);
    alox_stop(self);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t n = savina_arg(argc, argv, 1, 10000000);
    struct counter *c = alox_new(struct counter);
    struct producer *p = alox_new(struct producer);
    int64_t t0 = savina_now_ns();
    produce(p, n, c);
    if (alox_run() != 0)
        savina_fail("counting", "alox_run failed");
    int64_t t1 = savina_now_ns();
    if (final_count != n || final_sum != n * (n - 1) / 2)
        savina_fail("counting", "counted %lld (want %lld), sum %lld (want %lld)",
                    (long long)final_count, (long long)n, (long long)final_sum,
                    (long long)(n * (n - 1) / 2));
    savina_report("counting", "alox", alox_threads(), n, t1 - t0);
    return 0;
}
