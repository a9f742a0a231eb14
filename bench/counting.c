/*
 * counting.c - one producer actor sends N messages to one counter actor,
 * written with annotations (compare abi_counting.c, the same by hand).
 *
 *     counting [messages=10000000] [runs=5]
 */
#include <alox.h>

#include "bench_util.h"

struct alox_actor counter { int64_t count; int64_t sum; };
struct alox_actor producer { int64_t unused; };

alox_behave void add(struct counter *self, int64_t value) {
    self->count++;
    self->sum += value;
}

alox_behave void produce(struct producer *self, int64_t messages, struct counter *to) {
    (void)self;
    for (int64_t i = 0; i < messages; i++)
        add(to, i);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    long messages = bench_arg(argc, argv, "messages", 10000000);
    int runs = (int)bench_arg(argc, argv, "runs", 5);
    double per_msg[64];
    if (runs > 64)
        runs = 64;
    for (int r = 0; r < runs; r++) {
        struct counter *c = alox_new(struct counter);
        double t0 = bench_now_ns();
        produce(alox_new(struct producer), messages, c);
        alox_run();
        double t1 = bench_now_ns();
        if (c->count != messages || c->sum != messages * (messages - 1) / 2) {
            fprintf(stderr, "counting: counted %lld of %ld\n", (long long)c->count, messages);
            return 1;
        }
        per_msg[r] = (t1 - t0) / messages;
    }
    printf("counting (plugin): %ld messages, %d threads, median of %d: %.1f ns/msg\n", messages,
           alox_threads(), runs, bench_median(per_msg, runs));
    return 0;
}
