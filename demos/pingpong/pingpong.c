/*
 * pingpong - the seed's example: actors A (pinger) and B (ponger) bounce a
 * ball N times; a Main actor creates both and starts the game, and learns
 * the result when the pinger is done.
 *
 *     pingpong [exchanges]      (default 1000000)
 *
 * Build: gcc -fplugin=alox -O2 pingpong.c -lalox
 */
#include <alox.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct alox_actor main_actor { double started; };
struct alox_actor pinger { int64_t pings; struct main_actor *boss; };
struct alox_actor ponger { int64_t pongs; };

alox_behave void pong(struct ponger *self, int32_t left, struct pinger *from);
alox_behave void report(struct ponger *self, int64_t pings, struct main_actor *boss);
alox_behave void game_over(struct main_actor *self, int64_t pings, int64_t pongs);

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A: count the ping, send the ball back; at the end, tell B to report.
 * (Each actor touches only its own state: B's count comes from B.) */
alox_behave void ping(struct pinger *self, int32_t left, struct ponger *to) {
    self->pings++;
    if (left > 0)
        pong(to, left - 1, self); /* a send: returns at once */
    else
        report(to, self->pings, self->boss);
}

/* B: count the pong, send the ball back. */
alox_behave void pong(struct ponger *self, int32_t left, struct pinger *from) {
    self->pongs++;
    ping(from, left, self);
}

/* B: add its own count and hand both to Main. */
alox_behave void report(struct ponger *self, int64_t pings, struct main_actor *boss) {
    game_over(boss, pings, self->pongs);
}

alox_behave void game_over(struct main_actor *self, int64_t pings, int64_t pongs) {
    double seconds = now_s() - self->started;
    printf("A received %lld pings, B received %lld pongs: %lld messages in %.3f s "
           "(%.0f ns per message, %d worker threads)\n",
           (long long)pings, (long long)pongs, (long long)(pings + pongs), seconds,
           seconds * 1e9 / (double)(pings + pongs), alox_threads());
}

/* Main: create both players and serve the first ball. */
alox_behave void start(struct main_actor *self, int32_t exchanges) {
    struct pinger *a = alox_new(struct pinger);
    struct ponger *b = alox_new(struct ponger);
    a->boss = self;
    self->started = now_s();
    printf("Main: starting a game of %d exchanges between A and B\n", exchanges);
    ping(a, exchanges, b);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    long exchanges = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    if (exchanges < 0 || exchanges > 1000000000) {
        fprintf(stderr, "usage: pingpong [exchanges from 0 to 1000000000]\n");
        return 2;
    }
    start(alox_new(struct main_actor), (int32_t)exchanges);
    int code = alox_run(); /* returns when the game is over and nothing is left */
    printf("Main: done (alox_run returned %d)\n", code);
    return code;
}
