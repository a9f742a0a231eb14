/*
 * timers.c - timer benchmarks (not a test): bench/timers/run.sh runs it.
 *
 *   timers lateness [N] [THREADS]   N timers (default 100,000) pending at once, deadlines
 *                                   spread over 1-3 s, 64 target actors; prints the
 *                                   lateness of the behaviour runs (run time minus
 *                                   deadline): p50, p99, p99.9, max
 *   timers idle [SECONDS]           one actor with a timer every second, re-armed in
 *                                   its tick; prints the process CPU time per second
 *                                   between firings
 *
 * Written against the ABI with hand-made descriptors (tests/support/
 * handmade.h) until the front ends turn alox_after(ms, tick(self)) into
 * alox_send_after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "handmade.h"

#define TARGETS 64

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_s(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* ----- lateness ---------------------------------------------------------- */

struct target {
    int64_t count;
    int64_t *lateness_ns; /* this actor's own samples */
};
HANDMADE_ACTOR(target)
typedef struct {
    uint64_t deadline_ns;
} due_args;
HANDMADE_BEHAVIOUR(target, due, due_args, "(u64)")
static void due(struct target *self, const due_args *a) {
    self->lateness_ns[self->count++] = (int64_t)(now_ns() - a->deadline_ns);
}

static int compare(const void *x, const void *y) {
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int lateness(long n) {
    struct target *targets[TARGETS];
    for (int i = 0; i < TARGETS; i++) {
        targets[i] = new_target();
        targets[i]->lateness_ns = calloc((size_t)n / TARGETS + 1, sizeof(int64_t));
    }
    uint32_t rng = 2463534242u;
    uint64_t set_start = now_ns();
    for (long i = 0; i < n; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        uint64_t delay_ms = 1000 + rng % 2000;
        due_args args = {now_ns() + delay_ms * 1000000ull};
        alox_send_after(delay_ms, targets[i % TARGETS], &due_desc, &args);
    }
    double set_ms = (now_ns() - set_start) / 1e6;
    int rc = alox_run();
    int64_t *all = malloc((size_t)n * sizeof *all);
    long k = 0;
    for (int i = 0; i < TARGETS; i++)
        for (int64_t j = 0; j < targets[i]->count; j++)
            all[k++] = targets[i]->lateness_ns[j];
    if (k != n) {
        fprintf(stderr, "timers: %ld of %ld timers fired\n", k, n);
        return 1;
    }
    qsort(all, (size_t)n, sizeof *all, compare);
    printf("TIMERS lateness n=%ld threads=%d set_ms=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f "
           "max_us=%.1f min_us=%.1f\n",
           n, alox_threads(), set_ms, all[n / 2] / 1e3, all[n * 99 / 100] / 1e3,
           all[n * 999 / 1000] / 1e3, all[n - 1] / 1e3, all[0] / 1e3);
    return rc;
}

/* ----- idle ---------------------------------------------------------------- */

struct ticker {
    int64_t ticks, left;
    double cpu_at_tick, cpu_between; /* CPU spent from one tick's end to the next's start */
    uint64_t last_ns;
    int64_t worst_lateness_ns;
};
HANDMADE_ACTOR(ticker)
typedef struct {
    uint64_t deadline_ns;
} tick_args;
HANDMADE_BEHAVIOUR(ticker, tick, tick_args, "(u64)")
static void tick(struct ticker *self, const tick_args *a) {
    double cpu = cpu_s();
    int64_t late = (int64_t)(now_ns() - a->deadline_ns);
    if (self->ticks > 0) {
        self->cpu_between += cpu - self->cpu_at_tick;
        if (late > self->worst_lateness_ns)
            self->worst_lateness_ns = late;
    }
    self->ticks++;
    if (--self->left > 0) {
        tick_args next = {now_ns() + 1000000000ull};
        alox_send_after(1000, self, &tick_desc, &next);
    }
    self->cpu_at_tick = cpu_s();
}

static int idle(int seconds) {
    struct ticker *t = new_ticker();
    t->left = seconds + 1;
    send_tick(t, (tick_args){now_ns()});
    int rc = alox_run();
    printf("TIMERS idle seconds=%d threads=%d cpu_ms_per_s=%.3f worst_lateness_us=%.1f\n", seconds,
           alox_threads(), t->cpu_between * 1e3 / seconds, t->worst_lateness_ns / 1e3);
    return rc;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    if (argc >= 2 && strcmp(argv[1], "lateness") == 0)
        return lateness(argc >= 3 ? atol(argv[2]) : 100000);
    if (argc >= 2 && strcmp(argv[1], "idle") == 0)
        return idle(argc >= 3 ? atoi(argv[2]) : 5);
    fprintf(stderr, "usage: timers lateness [N] | timers idle [SECONDS]\n");
    return 2;
}
