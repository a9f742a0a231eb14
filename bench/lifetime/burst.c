/*
 * burst.c - a burst of queued messages drains: does the memory come back?
 * (issue 14, item 2: after 30 million queued messages drain, RSS returns
 * within 2x of the pre-burst figure within a second.)
 *
 *     burst [messages=30000000]
 *
 * The messages are queued from outside the workers before alox_run (so all
 * of them are in the mailbox at once), then drained by one actor. A thread
 * samples RSS every 10 ms; the figure is the time from the last message
 * run to RSS within 2x of the pre-burst RSS.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "handmade.h"

#include "../bench_util.h"
#include "lifetime_util.h"

struct sink { int64_t count; int64_t sum; };
HANDMADE_ACTOR(sink)
typedef struct { int64_t value; } take_args;
HANDMADE_BEHAVIOUR(sink, take, take_args, "(i64)")

static int64_t expected;
static _Atomic double drained_at; /* ns, when the last message ran */
static _Atomic int sampling = 1;
static _Atomic long back_at_kib;
static double back_at_ns;
static long pre_kib;

static void take(struct sink *self, const take_args *a) {
    self->sum += a->value;
    if (++self->count == expected)
        atomic_store(&drained_at, bench_now_ns());
}

static void *sampler(void *unused) {
    (void)unused;
    while (atomic_load(&sampling)) {
        long now = lifetime_status_kib("VmRSS");
        double at = atomic_load(&drained_at);
        if (at > 0 && back_at_ns == 0 && now <= 2 * pre_kib) {
            back_at_ns = bench_now_ns();
            atomic_store(&back_at_kib, now);
        }
        usleep(10000);
    }
    return NULL;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    long messages = bench_arg(argc, argv, "messages", 30000000);
    struct sink *s = new_sink();
    expected = 1000; /* warm: the workers, the pools, the first chunks */
    for (int i = 0; i < 1000; i++)
        send_take(s, (take_args){i});
    alox_run();
    s->count = 0;
    expected = messages;
    atomic_store(&drained_at, 0.0);
    pre_kib = lifetime_status_kib("VmRSS");
    pthread_t t;
    pthread_create(&t, NULL, sampler, NULL);
    double q0 = bench_now_ns();
    for (long i = 0; i < messages; i++)
        send_take(s, (take_args){i});
    double q1 = bench_now_ns();
    long queued_kib = lifetime_status_kib("VmRSS");
    alox_run();
    double r1 = bench_now_ns();
    /* Up to 2 s after the drain for the RSS to come back. */
    for (int i = 0; i < 200 && back_at_ns == 0; i++)
        usleep(10000);
    atomic_store(&sampling, 0);
    pthread_join(t, NULL);
    if (s->count != messages) {
        fprintf(stderr, "burst: %lld of %ld messages ran\n", (long long)s->count, messages);
        return 1;
    }
    double drained = atomic_load(&drained_at);
    printf("burst: %ld messages: queued in %.2f s, drained in %.2f s; RSS %.1f MB before, %.1f MB queued, "
           "%.1f MB at alox_run's return; ",
           messages, (q1 - q0) / 1e9, (r1 - q1) / 1e9, pre_kib / 1024.0, queued_kib / 1024.0,
           lifetime_status_kib("VmRSS") / 1024.0);
    if (back_at_ns > 0)
        printf("within 2x of before (%.1f MB) %.0f ms after the last message ran\n",
               atomic_load(&back_at_kib) / 1024.0, (back_at_ns - drained) / 1e6);
    else
        printf("NOT back within 2x of before 2 s after the drain\n");
    return 0;
}
