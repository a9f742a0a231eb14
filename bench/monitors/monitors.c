/*
 * monitors.c - monitor benchmarks (not a test): bench/monitors/run.sh runs it.
 *
 *   monitors fan-in  [N]   N watchers monitor one actor, which stops: the
 *                          time to set them up (alox_monitor, and the run
 *                          that follows) and from the stop to the
 *                          last on_down, per monitor; RSS per live monitor
 *   monitors fan-out [N]   one watcher monitors N actors, which all stop
 *   monitors churn   [N]   monitor and demonitor one live actor N times
 *                          (the records left must be 0)
 *   monitors stops   [N]   spawn and stop N actors, none monitored, in
 *                          rounds with and without a live monitor elsewhere
 *                          in the program (an actor that never had one pays
 *                          one load of its flags at its stop)
 *
 * Written against the ABI (tests/support/handmade.h), as the runtime tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "core/monitor.h"
#include "handmade.h"

typedef struct {
    uint64_t target_id;
    alox_down_reason reason;
} down_args;
typedef struct {
    int32_t unused;
} no_args;

struct target {
    int32_t unused;
};
HANDMADE_ACTOR(target)
HANDMADE_BEHAVIOUR(target, finish, no_args, "(i32)")
static void finish(struct target *self, const no_args *a) {
    (void)a;
    alox_stop(self);
}

struct watcher {
    int64_t downs;
};
HANDMADE_ACTOR(watcher)
HANDMADE_BEHAVIOUR(watcher, on_down, down_args, "(u64,eu32)")
static void on_down(struct watcher *self, const down_args *a) {
    (void)a;
    self->downs++;
}

static alox_monitor_ref monitor(struct watcher *w, void *t) { return alox_monitor_desc(w, t, &on_down_desc); }

static int fan_in(long n) {
    struct watcher **ws = calloc((size_t)n, sizeof *ws);
    for (long i = 0; i < n; i++)
        ws[i] = new_watcher();
    struct target *t = new_target();
    alox_run();
    long rss = bench_rss_bytes();
    double t0 = bench_now_ns();
    for (long i = 0; i < n; i++)
        monitor(ws[i], t);
    alox_run(); /* the registrations run on the target */
    double t1 = bench_now_ns();
    long grown = bench_rss_bytes();
    send_finish(t, (no_args){0});
    alox_run();
    double t2 = bench_now_ns();
    long told = 0;
    for (long i = 0; i < n; i++)
        told += ws[i]->downs;
    printf("fan-in   n=%ld: set up %.0f ns per monitor, stop to last on_down %.0f ns per monitor, "
           "RSS %.0f bytes per live monitor\n",
           n, (t1 - t0) / n, (t2 - t1) / n, (double)(grown - rss) / n);
    free(ws);
    return told == n && monitor_count() == 0 ? 0 : 1;
}

static int fan_out(long n) {
    struct watcher *w = new_watcher();
    struct target **ts = calloc((size_t)n, sizeof *ts);
    for (long i = 0; i < n; i++)
        ts[i] = new_target();
    alox_run();
    long rss = bench_rss_bytes();
    double t0 = bench_now_ns();
    for (long i = 0; i < n; i++)
        monitor(w, ts[i]);
    alox_run();
    double t1 = bench_now_ns();
    long grown = bench_rss_bytes();
    for (long i = 0; i < n; i++)
        send_finish(ts[i], (no_args){0});
    alox_run();
    double t2 = bench_now_ns();
    printf("fan-out  n=%ld: set up %.0f ns per monitor, stops to last on_down %.0f ns per monitor "
           "(the stops included), RSS %.0f bytes per live monitor\n",
           n, (t1 - t0) / n, (t2 - t1) / n, (double)(grown - rss) / n);
    free(ts);
    return w->downs == n && monitor_count() == 0 ? 0 : 1;
}

static int churn(long n) {
    struct watcher *w = new_watcher();
    struct target *t = new_target();
    double t0 = bench_now_ns();
    for (long i = 0; i < n; i++)
        alox_demonitor(monitor(w, t));
    alox_run();
    double t1 = bench_now_ns();
    printf("churn    n=%ld: monitor + demonitor %.0f ns per pair, "
           "records left %llu\n",
           n, (t1 - t0) / n, (unsigned long long)monitor_count());
    return monitor_count() == 0 ? 0 : 1;
}

static double spawn_and_stop(long n) {
    double t0 = bench_now_ns();
    for (long done = 0; done < n; done += 10000) {
        for (long i = 0; i < 10000 && done + i < n; i++)
            send_finish(new_target(), (no_args){0});
        alox_run();
    }
    return (bench_now_ns() - t0) / n;
}

/* Interleaved rounds, with and without a live monitor elsewhere in the
 * program; medians of the rounds. */
static int stops(long n) {
    enum { ROUNDS = 10 };
    double with[ROUNDS], without[ROUNDS];
    struct watcher *w = new_watcher();
    struct target *keeper = new_target();
    for (int r = 0; r < ROUNDS; r++) {
        without[r] = spawn_and_stop(n / ROUNDS / 2);
        alox_monitor_ref m = monitor(w, keeper);
        alox_run();
        with[r] = spawn_and_stop(n / ROUNDS / 2);
        alox_demonitor(m);
    }
    printf("stops    n=%ld: spawn + stop %.0f ns per actor with no monitor in the program, "
           "%.0f ns with one (medians of %d interleaved rounds)\n",
           n, bench_median(without, ROUNDS), bench_median(with, ROUNDS), ROUNDS);
    return 0;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    const char *what = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    if (n < 1)
        n = 1;
    if (!strcmp(what, "fan-in"))
        return fan_in(n);
    if (!strcmp(what, "fan-out"))
        return fan_out(n);
    if (!strcmp(what, "churn"))
        return churn(n);
    if (!strcmp(what, "stops"))
        return stops(n);
    fprintf(stderr, "usage: monitors fan-in|fan-out|churn|stops [N]\n");
    return 2;
}
