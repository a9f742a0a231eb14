/*
 * pingpong.c - the DESIGN.md ping-pong, annotated C, built twice: by gcc
 * with the plugin and by alox-clang (bench/clang/run.sh), to compare the
 * send cost of the two front ends' code (same runtime, same ABI).
 *
 *     pingpong [rounds=1000000] [runs=7]
 *
 * Prints the median time per message (two messages per round trip).
 */
#include <alox.h>
#include <stdio.h>

#include "bench_util.h"

struct ponger;
struct alox_actor pinger { int64_t hits; };
struct alox_actor ponger { int64_t hits; };

alox_behave void pong(struct ponger *self, int32_t n, struct pinger *from);

alox_behave void ping(struct pinger *self, int32_t n, struct ponger *to) {
    self->hits++;
    if (n > 0)
        pong(to, n - 1, self);
}

alox_behave void pong(struct ponger *self, int32_t n, struct pinger *from) {
    self->hits++;
    ping(from, n, self);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    long rounds = bench_arg(argc, argv, "rounds", 1000000);
    int runs = (int)bench_arg(argc, argv, "runs", 7);
    double per_msg[64];
    if (runs > 64)
        runs = 64;
    for (int r = 0; r < runs; r++) {
        struct pinger *a = alox_new(struct pinger);
        struct ponger *b = alox_new(struct ponger);
        double t0 = bench_now_ns();
        ping(a, (int32_t)rounds, b);
        alox_run();
        double t1 = bench_now_ns();
        if (a->hits != rounds + 1 || b->hits != rounds) {
            fprintf(stderr, "pingpong: wrong counts %lld %lld\n", (long long)a->hits,
                    (long long)b->hits);
            return 1;
        }
        per_msg[r] = (t1 - t0) / (2.0 * rounds + 1);
    }
    printf("%.1f\n", bench_median(per_msg, runs));
    return 0;
}
