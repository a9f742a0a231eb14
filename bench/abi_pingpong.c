/*
 * abi_pingpong.c - ping-pong between two actors through the raw ABI
 * (hand-written descriptors, as the plugin emits them).
 *
 *     abi_pingpong [rounds=1000000] [runs=5]
 *
 * Prints the median time per message (two messages per round trip).
 */
#include "handmade.h"

#include "bench_util.h"

struct ponger;
struct pinger { int64_t hits; };
struct ponger { int64_t hits; };
HANDMADE_ACTOR(pinger)
HANDMADE_ACTOR(ponger)

typedef struct { int32_t n; struct ponger *to; } ping_args;
typedef struct { int32_t n; struct pinger *from; } pong_args;
HANDMADE_BEHAVIOUR(pinger, ping, ping_args, "(i32,@ponger)")
HANDMADE_BEHAVIOUR(ponger, pong, pong_args, "(i32,@pinger)")

static void ping(struct pinger *self, const ping_args *a) {
    self->hits++;
    if (a->n > 0)
        send_pong(a->to, (pong_args){a->n - 1, self});
}

static void pong(struct ponger *self, const pong_args *a) {
    self->hits++;
    send_ping(a->from, (ping_args){a->n, self});
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    long rounds = bench_arg(argc, argv, "rounds", 1000000);
    int runs = (int)bench_arg(argc, argv, "runs", 5);
    double per_msg[64];
    if (runs > 64)
        runs = 64;
    for (int r = 0; r < runs; r++) {
        struct pinger *a = new_pinger();
        struct ponger *b = new_ponger();
        double t0 = bench_now_ns();
        send_ping(a, (ping_args){(int32_t)rounds, b});
        alox_run();
        double t1 = bench_now_ns();
        if (a->hits != rounds + 1 || b->hits != rounds) {
            fprintf(stderr, "abi_pingpong: wrong counts %lld %lld\n", (long long)a->hits,
                    (long long)b->hits);
            return 1;
        }
        per_msg[r] = (t1 - t0) / (2.0 * rounds + 1);
    }
    printf("pingpong (raw ABI): %ld round trips, %d threads, median of %d: %.1f ns/msg\n", rounds,
           alox_threads(), runs, bench_median(per_msg, runs));
    return 0;
}
