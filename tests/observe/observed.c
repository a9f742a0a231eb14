/*
 * observed.c - a program to look at, for the observation tests (run.sh):
 * actors written by hand against the ABI (tests/support/handmade.h), so
 * it runs in every build configuration without the plugin.
 *
 *   observed serve DIR   known actors and counts, then a slow sink with a
 *                        backlog; prints "ready" and runs until DIR/stop
 *                        exists (the test's snapshot happens meanwhile)
 *   observed chain       main -> a -> b -> c: three hops, then exit (run it
 *                        with ALOX_TRACE=FILE)
 *   observed pingpong N  N round trips between two actors (the trace
 *                        picture of docs/)
 *
 * serve, what the test expects to see:
 *   lamp:    3 spawned, 3 live, 0 behaviours run
 *   toggle:  5 spawned, 2 stopped (3 live), 5 behaviours run
 *   pinger, ponger: 1 each, PINGS behaviours each
 *   sink:    1, running SINK_MESSAGES slow behaviours (a backlog at first)
 *   dead letters: 1 "actor stopped" (a flip sent to a stopped toggle)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "handmade.h"

#define PINGS 10000
#define SINK_MESSAGES 20000
#define SINK_WORK_NS 100000 /* per message: the sink drains for about 2 s */

struct lamp { int64_t on; };
struct toggle { int64_t flips; };
struct pinger { int64_t hits; };
struct ponger { int64_t hits; };
struct sink { int64_t got; };
struct hop { struct hop *next; int64_t seen; };

HANDMADE_ACTOR(lamp)
HANDMADE_ACTOR(toggle)
HANDMADE_ACTOR(pinger)
HANDMADE_ACTOR(ponger)
HANDMADE_ACTOR(sink)
HANDMADE_ACTOR(hop)

typedef struct { int32_t stop; } flip_args;
typedef struct { int32_t n; struct ponger *to; } ping_args;
typedef struct { int32_t n; struct pinger *from; } pong_args;
typedef struct { int64_t k; } drop_args;
typedef struct { int32_t left; } step_args;

HANDMADE_BEHAVIOUR(toggle, flip, flip_args, "(i32)")
HANDMADE_BEHAVIOUR(pinger, ping, ping_args, "(i32,@ponger)")
HANDMADE_BEHAVIOUR(ponger, pong, pong_args, "(i32,@pinger)")
HANDMADE_BEHAVIOUR(sink, drop, drop_args, "(i64)")
HANDMADE_BEHAVIOUR(hop, step, step_args, "(i32)")

static _Atomic int pings_done;

static void flip(struct toggle *self, const flip_args *a) {
    self->flips++;
    if (a->stop)
        alox_stop(self);
}

static void ping(struct pinger *self, const ping_args *a) {
    self->hits++;
    if (a->n > 0)
        send_pong(a->to, (pong_args){a->n - 1, self});
    else
        atomic_store(&pings_done, 1);
}

static void pong(struct ponger *self, const pong_args *a) {
    self->hits++;
    send_ping(a->from, (ping_args){a->n, self});
}

static void spin_ns(long ns) {
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < ns);
}

static void drop(struct sink *self, const drop_args *a) {
    self->got += a->k;
    spin_ns(SINK_WORK_NS);
}

static void step(struct hop *self, const step_args *a) {
    self->seen++;
    if (a->left > 1 && self->next)
        send_step(self->next, (step_args){a->left - 1});
}

static void *runner(void *unused) {
    (void)unused;
    int rc = alox_run();
    if (rc != 0)
        fprintf(stderr, "observed: alox_run returned %d\n", rc);
    return NULL;
}

static int serve(const char *dir) {
    char stop_file[4096];
    snprintf(stop_file, sizeof stop_file, "%s/stop", dir);
    alox_hold(); /* runs until the test says stop */
    pthread_t t;
    pthread_create(&t, NULL, runner, NULL);
    for (int i = 0; i < 3; i++)
        new_lamp();
    struct toggle *toggles[5];
    for (int i = 0; i < 5; i++) {
        toggles[i] = new_toggle();
        send_flip(toggles[i], (flip_args){i < 2});
    }
    send_ping(new_pinger(), (ping_args){PINGS - 1, new_ponger()});
    while (!atomic_load(&pings_done))
        usleep(1000);
    usleep(100 * 1000); /* the stops have run */
    send_flip(toggles[0], (flip_args){0}); /* a dead letter: toggles[0] stopped */
    struct sink *s = new_sink();
    for (int i = 0; i < SINK_MESSAGES; i++)
        send_drop(s, (drop_args){1});
    printf("ready %ld\n", (long)getpid());
    fflush(stdout);
    while (access(stop_file, F_OK) != 0)
        usleep(20 * 1000);
    alox_release();
    pthread_join(t, NULL);
    printf("sink got %lld\n", (long long)s->got);
    return 0;
}

static int chain(void) {
    struct hop *c = new_hop(), *b = new_hop(), *a = new_hop();
    a->next = b; /* set before any message: the sends below publish them */
    b->next = c;
    send_step(a, (step_args){3});
    int rc = alox_run();
    printf("chain: %lld %lld %lld\n", (long long)a->seen, (long long)b->seen, (long long)c->seen);
    return rc || a->seen != 1 || b->seen != 1 || c->seen != 1;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    if (argc == 3 && strcmp(argv[1], "serve") == 0)
        return serve(argv[2]);
    if (argc == 2 && strcmp(argv[1], "chain") == 0)
        return chain();
    if (argc == 3 && strcmp(argv[1], "pingpong") == 0) {
        send_ping(new_pinger(), (ping_args){atoi(argv[2]) - 1, new_ponger()});
        return alox_run();
    }
    fprintf(stderr, "usage: observed serve DIR | chain | pingpong N\n");
    return 2;
}
