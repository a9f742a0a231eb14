/*
 * futures.c - futures end to end on one scheduler (issue 19), one case per
 * argument; each exits 0 only if every check holds:
 *
 *   local     values of several types, alox_then with and without timeouts,
 *             a result nobody takes, alox_await before alox_run (it runs
 *             the workers itself), a chain (a future behaviour that asks
 *             another and answers from its on_value is not possible: it
 *             answers at once, so the chain is then -> then)
 *   million   FUTURES_REQUESTS requests (default 1,000,000), one in ten to
 *             a server kept busy past its timeout: every request is
 *             answered exactly once (ALOX_OK with its own value, or
 *             ALOX_TIMEOUT), every late answer is dropped and counted, and
 *             no pending entry is left
 *   stopped   the callee stops with requests queued behind it and more
 *             sent later: each of those hears ALOX_TARGET_DOWN, once
 *   await8    8 plain threads alox_await at once while alox_run runs
 */
#include <alox.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "futures: check failed at line %d: %s\n", __LINE__, #cond);          \
            exit(1);                                                                             \
        }                                                                                        \
    } while (0)

struct point { int32_t x, y; };

struct alox_actor server { int64_t served; };
struct alox_actor client {
    int64_t sum, ok, timeouts, down, answers;
    struct point p;
    struct server *s;
};

/* ----- the server ------------------------------------------------------- */

alox_behave alox_future(int64_t) twice(struct server *self, int64_t k) {
    self->served++;
    return 2 * k + 1;
}

alox_behave alox_future(struct point) where(struct server *self, int32_t x) {
    struct point p = {x, (int32_t)self->served};
    return p;
}

alox_behave alox_future(bool) is_even(struct server *self, int64_t k) {
    (void)self;
    if (k % 2)
        return false;
    return true;
}

static uint64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* Keeps this server's worker busy (the way a slow behaviour does). */
alox_behave void stall(struct server *self, int32_t ms) {
    (void)self;
    uint64_t until = now_ms() + (uint64_t)ms;
    while (now_ms() < until) {
    }
}

alox_behave void quit(struct server *self) { alox_stop(self); }

/* ----- local ---------------------------------------------------------- */

alox_behave void got(struct client *self, int64_t value, alox_status status) {
    self->answers++;
    if (status == ALOX_OK) {
        self->ok++;
        self->sum += value;
    } else if (status == ALOX_TIMEOUT) {
        CHECK(value == 0);
        self->timeouts++;
    } else {
        CHECK(status == ALOX_TARGET_DOWN && value == 0);
        self->down++;
    }
}

alox_behave void got_point(struct client *self, struct point p, alox_status status) {
    CHECK(status == ALOX_OK);
    self->p = p;
    self->answers++;
}

alox_behave void got_even(struct client *self, bool even, alox_status status) {
    CHECK(status == ALOX_OK && even);
    self->answers++;
}

/* then -> then: ask again from on_value */
alox_behave void chained(struct client *self, int64_t value, alox_status status) {
    CHECK(status == ALOX_OK && value == 2 * 20 + 1);
    self->answers++;
    alox_then(twice(self->s, value), self, got, 0);
}

alox_behave void start_local(struct client *self, struct server *s) {
    self->s = s;
    alox_then(twice(s, 5), self, got, 0);            /* 11 */
    alox_future(int64_t) f = twice(s, 6);            /* 13 */
    alox_then(f, self, got, 10000);
    alox_then(where(s, 9), self, got_point, 0);
    alox_then(is_even(s, 4), self, got_even, 100);
    alox_then(twice(s, 20), self, chained, 0);       /* 41, then 83 */
    twice(s, 1000);                                  /* nobody takes it */
}

static int run_local(void) {
    struct server *s = alox_new(struct server);
    struct client *c = alox_new(struct client);
    int64_t v = 0;
    CHECK(alox_await(twice(s, 1), 1000, &v) == ALOX_OK && v == 3); /* drives the workers */
    struct point p = {0, 0};
    CHECK(alox_await(where(s, 4), 0, &p) == ALOX_OK && p.x == 4 && p.y == 1);
    start_local(c, s);
    CHECK(alox_run() == 0);
    CHECK(c->answers == 6 && c->ok == 3 && c->timeouts == 0 && c->down == 0);
    CHECK(c->sum == 11 + 13 + 83);
    CHECK(c->p.x == 9);
    CHECK(alox_futures_pending() == 0 && alox_futures_late() == 0);
    CHECK(s->served == 1 + 5); /* twice: the await's, five more (the ignored one too) */
    printf("futures local: ok\n");
    return 0;
}

/* ----- million ------------------------------------------------------------ */

#define WAVE 10000           /* requests in flight at once */
#define SLOW_EVERY 10        /* one in ten goes to the busy server */
#define SLOW_TIMEOUT_MS 20   /* its timeout */
#define STALL_MS 60          /* how long the busy server is busy, per wave */
#define FAST_TIMEOUT_MS 60000

struct alox_actor driver {
    int64_t requests, sent, answered_in_wave, ok, timeouts;
    struct server *fast[2], *slow;
    unsigned char *seen; /* ALOX_OK answers by request: each once */
};

alox_behave void wave(struct driver *self);

alox_behave void answered(struct driver *self, int64_t value, alox_status status) {
    if (status == ALOX_OK) {
        int64_t k = (value - 1) / 2;
        CHECK(k >= 0 && k < self->requests && !self->seen[k]);
        self->seen[k] = 1;
        self->ok++;
    } else {
        CHECK(status == ALOX_TIMEOUT && value == 0);
        self->timeouts++;
    }
    if (++self->answered_in_wave == WAVE || self->ok + self->timeouts == self->requests) {
        self->answered_in_wave = 0;
        if (self->sent < self->requests)
            wave(self);
    }
}

alox_behave void wave(struct driver *self) {
    stall(self->slow, STALL_MS);
    for (int i = 0; i < WAVE && self->sent < self->requests; i++) {
        int64_t k = self->sent++;
        if (k % SLOW_EVERY == 0)
            alox_then(twice(self->slow, k), self, answered, SLOW_TIMEOUT_MS);
        else
            alox_then(twice(self->fast[k % 2], k), self, answered, FAST_TIMEOUT_MS);
    }
}

static int run_million(void) {
    const char *env = getenv("FUTURES_REQUESTS");
    int64_t n = env ? atoll(env) : 1000000;
    struct driver *d = alox_new(struct driver);
    d->requests = n;
    d->fast[0] = alox_new(struct server);
    d->fast[1] = alox_new(struct server);
    d->slow = alox_new(struct server);
    d->seen = calloc((size_t)n, 1);
    CHECK(d->seen);
    wave(d);
    CHECK(alox_run() == 0);
    int64_t slow = (n + SLOW_EVERY - 1) / SLOW_EVERY;
    printf("futures million: %lld requests, %lld ok, %lld timeouts (of %lld slow), %llu late "
           "answers dropped, %llu pending\n",
           (long long)n, (long long)d->ok, (long long)d->timeouts, (long long)slow,
           (unsigned long long)alox_futures_late(), (unsigned long long)alox_futures_pending());
    CHECK(d->ok + d->timeouts == n);
    CHECK(d->ok >= n - slow);                /* every fast one answered */
    CHECK(d->timeouts >= slow / 2);          /* the stall made most slow ones late */
    CHECK(alox_futures_late() == (uint64_t)d->timeouts); /* each ran later, dropped */
    CHECK(alox_futures_pending() == 0);
    CHECK(d->fast[0]->served + d->fast[1]->served + d->slow->served == n);
    free(d->seen);
    return 0;
}

/* ----- stopped ------------------------------------------------------------- */

static _Atomic uint64_t dead;
static void count_dead(const alox_dead_letter *l) {
    (void)l;
    dead++;
}

alox_behave void ask_around_quit(struct client *self, struct server *s) {
    for (int64_t k = 0; k < 10; k++)
        alox_then(twice(s, k), self, got, 0);
    quit(s);
    for (int64_t k = 0; k < 10; k++) /* queued behind quit: never run */
        alox_then(twice(s, k), self, got, 1000);
}

alox_behave void ask_after_quit(struct client *self, struct server *s) {
    for (int64_t k = 0; k < 5; k++) /* stopped already: a dead letter at once */
        alox_then(twice(s, k), self, got, 0);
}

static int run_stopped(void) {
    alox_on_dead_letter(count_dead);
    struct server *s = alox_new(struct server);
    struct client *c = alox_new(struct client);
    ask_around_quit(c, s);
    CHECK(alox_run() == 0);
    CHECK(c->ok == 10 && c->down == 10 && c->timeouts == 0);
    ask_after_quit(c, s);
    CHECK(alox_run() == 0);
    int64_t v = 7;
    CHECK(alox_await(twice(s, 1), 1000, &v) == ALOX_TARGET_DOWN && v == 7);
    CHECK(c->ok == 10 && c->down == 15 && c->answers == 25);
    CHECK(dead == 16 && alox_futures_pending() == 0 && alox_futures_late() == 0);
    printf("futures stopped: ok\n");
    return 0;
}

/* ----- await8 ----------------------------------------------------------------- */

#define AWAITERS 8
#define AWAITS 2000

static struct server *shared_server;

static void *awaiter(void *arg) {
    int64_t base = (int64_t)(intptr_t)arg * 1000000;
    for (int64_t k = base; k < base + AWAITS; k++) {
        int64_t v = -1;
        CHECK(alox_await(twice(shared_server, k), 10000, &v) == ALOX_OK && v == 2 * k + 1);
    }
    alox_release();
    return NULL;
}

static int run_await8(void) {
    shared_server = alox_new(struct server);
    pthread_t t[AWAITERS];
    for (int i = 0; i < AWAITERS; i++) {
        alox_hold(); /* alox_run waits for every awaiter */
        CHECK(pthread_create(&t[i], NULL, awaiter, (void *)(intptr_t)i) == 0);
    }
    CHECK(alox_run() == 0);
    for (int i = 0; i < AWAITERS; i++)
        pthread_join(t[i], NULL);
    CHECK(shared_server->served == AWAITERS * AWAITS);
    CHECK(alox_futures_pending() == 0);
    printf("futures await8: ok\n");
    return 0;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    const char *which = argc > 1 ? argv[1] : "";
    if (strcmp(which, "local") == 0)
        return run_local();
    if (strcmp(which, "million") == 0)
        return run_million();
    if (strcmp(which, "stopped") == 0)
        return run_stopped();
    if (strcmp(which, "await8") == 0)
        return run_await8();
    fprintf(stderr, "usage: futures local|million|stopped|await8\n");
    return 2;
}
