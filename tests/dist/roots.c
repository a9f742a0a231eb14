/*
 * roots.c - termination per root (issue 13 item 2): one client of a
 * server never waits for another client's work there. run.sh case
 * "roots" starts three processes:
 *
 *   dist_roots [--alox-* flags] serve NODE    the server S (and a relay)
 *   dist_roots [--alox-* flags] busy          client B: an endless volley
 *   dist_roots [--alox-* flags] quick BOUND_MS client A: one request
 *   dist_roots [--alox-* flags] chain HOPS REPS SECOND
 *                                             client C: jobs through S's relay
 *                                             and SECOND's, replied from SECOND
 *
 * A's request arrives at an idle S first, and its handling waits (a local
 * chain of short steps, caused by the request) until B's volley has begun
 * there, so S is busy with B's work, for ever, from then on. A's alox_run
 * must return, with the reply in, within BOUND_MS of the request: its
 * termination covers only what its own request caused. (With one
 * engagement per node, A's request was the node's parent and was never
 * done while B played: A never ended.)
 *
 * Then, with S still busy with B, client C sends jobs that S forwards to a
 * second server, which replies to C: each alox_run must return with the
 * reply in. (With one engagement per node, B's was S's, so C's request
 * was done once S had run it, and C ended before the forwarded reply.)
 */
#include <alox.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain.h"

#define LOOKUP_TIMEOUT_MS 10000
#define WAIT_STEP_NS 1000000 /* one step of the request's wait for B's volley: 1 ms */
#define WAIT_STEPS 20000     /* at most 20 s of steps: B starts within that or the test fails */

struct quick;
struct busy;
struct alox_actor server { int64_t requests; };
struct alox_actor quick { int64_t replies, volleys_seen; };
struct alox_actor busy { int64_t returns; };

/* Volleys S has seen: B's work, which the request's chain looks at
 * (shared memory, not a message: it makes nothing of B's a cause of A's).
 * Relaxed: a count read for a decision about timing only. */
static _Atomic int64_t volleys;

alox_behave void replied(struct quick *self, int64_t volleys_seen);
alox_behave void returned(struct busy *self, struct server *from);

alox_behave void request(struct server *self, int32_t steps, struct quick *from) {
    if (steps == 0) {
        self->requests++;
        printf("server: request arrived\n");
        fflush(stdout);
    }
    int64_t seen = atomic_load_explicit(&volleys, memory_order_relaxed);
    if (seen == 0 && steps < WAIT_STEPS) { /* not yet: one more step of the chain */
        nanosleep(&(struct timespec){0, WAIT_STEP_NS}, NULL);
        request(self, steps + 1, from);
        return;
    }
    replied(from, seen);
}

alox_behave void volley(struct server *self, struct busy *from) {
    (void)self;
    atomic_fetch_add_explicit(&volleys, 1, memory_order_relaxed);
    returned(from, self);
}

alox_behave void returned(struct busy *self, struct server *from) {
    if (self->returns++ == 0) {
        printf("busy: playing\n");
        fflush(stdout);
    }
    volley(from, self);
}

alox_behave void replied(struct quick *self, int64_t volleys_seen) {
    self->replies++;
    self->volleys_seen = volleys_seen;
}

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int role_serve(const char *node) {
    if (alox_publish(alox_new(struct server), "server") || alox_publish(alox_new(struct relay), "relay"))
        return 1;
    printf("%s: ready\n", node);
    fflush(stdout);
    int code = alox_run();
    printf("%s: done: %lld volleys\n", node, (long long)atomic_load(&volleys));
    return code;
}

static struct server *find_server(void) {
    struct server *s = alox_lookup(struct server, "server", "server", LOOKUP_TIMEOUT_MS);
    if (!s)
        printf("FAIL: lookup of the server timed out\n");
    return s;
}

static int role_busy(void) {
    struct server *s = find_server();
    if (!s)
        return 1;
    struct busy *me = alox_new(struct busy);
    volley(s, me);
    return alox_run(); /* never, unless stopped */
}

static int role_quick(double bound_ms) {
    struct server *s = find_server();
    if (!s)
        return 1;
    struct quick *me = alox_new(struct quick);
    double start = mono_ms();
    request(s, 0, me);
    int code = alox_run();
    double took = mono_ms() - start;
    bool ok = code == 0 && me->replies == 1 && me->volleys_seen > 0 && took < bound_ms;
    printf("%s quick: alox_run returned %d after %.0f ms (bound %.0f) with %lld reply, sent when "
           "the server had seen %lld volleys of the busy client\n",
           ok ? "ok:" : "FAIL:", code, took, bound_ms, (long long)me->replies,
           (long long)me->volleys_seen);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *role = argc > 1 ? argv[1] : "";
    if (!strcmp(role, "serve") && argc > 2)
        return role_serve(argv[2]);
    if (!strcmp(role, "busy"))
        return role_busy();
    if (!strcmp(role, "quick") && argc > 2)
        return role_quick(atof(argv[2]));
    if (!strcmp(role, "chain") && argc > 4)
        return chain_jobs(atoi(argv[2]), atoi(argv[3]), "server", argv[4]); /* chain.h */
    fprintf(stderr, "usage: dist_roots [--alox-* flags] serve NODE | busy | quick BOUND_MS | "
                    "chain HOPS REPS SECOND\n");
    return 2;
}
