/*
 * spawn_stop.c - short-lived actors: a driver keeps `alive` actors at
 * once; each gets one message, answers and stops; each answer spawns a
 * replacement, until `actors` have come and gone (issue 14, item 4a: ten
 * million, at most 10,000 alive: peak RSS under 64 MB).
 *
 *     spawn_stop [actors=10000000] [alive=10000]
 *
 * Prints the time per actor (spawn, one message each way, stop, free) and
 * the peak and final RSS of the whole process.
 */
#include "handmade.h"

#include "../bench_util.h"
#include "lifetime_util.h"

struct driver { int64_t spawned; int64_t done; int64_t total; };
struct mayfly { int64_t payload[4]; };
HANDMADE_ACTOR(driver)
HANDMADE_ACTOR(mayfly)
typedef struct { int64_t total; int64_t alive; } start_args;
typedef struct { int64_t value; } done_args;
typedef struct { int64_t value; struct driver *to; } live_args;
HANDMADE_BEHAVIOUR(driver, start, start_args, "(i64,i64)")
HANDMADE_BEHAVIOUR(driver, done, done_args, "(i64)")
HANDMADE_BEHAVIOUR(mayfly, live, live_args, "(i64,@driver)")

static int64_t checksum, finished; /* written by the driver as it stops */

static void live(struct mayfly *self, const live_args *a) {
    self->payload[0] = a->value;
    send_done(a->to, (done_args){a->value * 2});
    alox_stop(self);
}

static void spawn_one(struct driver *self) {
    send_live(new_mayfly(), (live_args){self->spawned++, self});
}

static void start(struct driver *self, const start_args *a) {
    self->total = a->total;
    for (int64_t i = 0; i < a->alive && self->spawned < self->total; i++)
        spawn_one(self);
}

static void done(struct driver *self, const done_args *a) {
    checksum += a->value;
    if (++self->done == self->total) {
        finished = self->done;
        alox_stop(self);
    } else if (self->spawned < self->total) {
        spawn_one(self);
    }
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    long actors = bench_arg(argc, argv, "actors", 10000000);
    long alive = bench_arg(argc, argv, "alive", 10000);
    long rss_start = lifetime_status_kib("VmRSS");
    double t0 = bench_now_ns();
    send_start(new_driver(), (start_args){actors, alive});
    alox_run();
    double t1 = bench_now_ns();
    if (finished != actors || checksum != (int64_t)actors * (actors - 1)) {
        fprintf(stderr, "spawn_stop: %lld of %ld actors answered\n", (long long)finished, actors);
        return 1;
    }
    long peak = lifetime_status_kib("VmHWM"), end = lifetime_status_kib("VmRSS");
    printf("spawn_stop: %ld actors, at most %ld alive, %d threads: %.1f ns/actor, peak RSS %.1f MB "
           "(%.1f MB at start, %.1f MB at the end)\n",
           actors, alive, alox_threads(), (t1 - t0) / actors, peak / 1024.0, rss_start / 1024.0, end / 1024.0);
    return 0;
}
