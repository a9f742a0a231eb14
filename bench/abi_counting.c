/*
 * abi_counting.c - one producer actor sends N messages to one counter
 * actor, through the raw ABI.
 *
 *     abi_counting [messages=10000000] [runs=5]
 *
 * Prints the median time per message and the peak RSS growth.
 */
#include "handmade.h"

#include "bench_util.h"

struct counter { int64_t count; int64_t sum; };
struct producer { int64_t unused; };
HANDMADE_ACTOR(counter)
HANDMADE_ACTOR(producer)

typedef struct { int64_t value; } add_args;
typedef struct { int64_t messages; struct counter *to; } produce_args;
HANDMADE_BEHAVIOUR(counter, add, add_args, "(i64)")
HANDMADE_BEHAVIOUR(producer, produce, produce_args, "(i64,@counter)")

static void add(struct counter *self, const add_args *a) {
    self->count++;
    self->sum += a->value;
}

static void produce(struct producer *self, const produce_args *a) {
    (void)self;
    for (int64_t i = 0; i < a->messages; i++)
        send_add(a->to, (add_args){i});
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    long messages = bench_arg(argc, argv, "messages", 10000000);
    int runs = (int)bench_arg(argc, argv, "runs", 5);
    double per_msg[64];
    if (runs > 64)
        runs = 64;
    long rss_before = bench_rss_bytes(), rss_peak = 0;
    for (int r = 0; r < runs; r++) {
        struct counter *c = new_counter();
        struct producer *p = new_producer();
        double t0 = bench_now_ns();
        send_produce(p, (produce_args){messages, c});
        alox_run();
        double t1 = bench_now_ns();
        long expected_sum = messages * (messages - 1) / 2;
        if (c->count != messages || c->sum != expected_sum) {
            fprintf(stderr, "abi_counting: counted %lld of %ld\n", (long long)c->count, messages);
            return 1;
        }
        per_msg[r] = (t1 - t0) / messages;
        long rss = bench_rss_bytes();
        if (rss > rss_peak)
            rss_peak = rss;
    }
    printf("counting (raw ABI): %ld messages, %d threads, median of %d: %.1f ns/msg, RSS growth %.1f MB\n",
           messages, alox_threads(), runs, bench_median(per_msg, runs), (rss_peak - rss_before) / 1e6);
    return 0;
}
