/*
 * alox_remote.c - Alox between two processes (two schedulers) over
 * tcp://127.0.0.1 with CurveZMQ, the same shapes as zmq_raw.c:
 *
 *   alox_remote [--alox-* flags] serve
 *   alox_remote [--alox-* flags] latency ROUNDS       [SERVER_NODE]
 *   alox_remote [--alox-* flags] throughput MESSAGES  [SERVER_NODE]
 *
 * serve:      publishes a ponger ("ponger") and a counter ("counter"); runs
 *             until SIGINT / SIGTERM (run.sh stops it so), exit status 0.
 * latency:    ROUNDS ping-pong round trips with the remote ponger (each
 *             ping carries an int64 and the sender's reference, each pong
 *             the same back), after 100 untimed warm-up round trips. Timed
 *             from the first ping to the last pong. Prints µs per round trip.
 * throughput: MESSAGES one-way sends of one int64 each (its sequence
 *             number) from main to the remote counter, after 1000 untimed
 *             warm-up sends. Timed from the first send until alox_run
 *             returns, which is when the server has processed every one of
 *             them (acknowledged). Prints M msg/s.
 *
 * Every count is checked: the pinger's pongs, the ponger's pings, the
 * counter's total and order (asked for after the timed part), and no dead
 * letter at all. The last line is `result VALUE us/rt` or
 * `result VALUE Mmsg/s`; the exit status is 0 only if every check passed.
 * Each process also prints `usage CPU_SECONDS CONTEXT_SWITCHES` (its whole
 * run: the client just before its result, the server when it ends).
 * (A client does not stop the server: a quit message would be processed by
 * a node that then exits, and its "processed" acknowledgement may never
 * leave, which the client would see as a dead letter "peer lost".)
 */
#include <alox.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define LOOKUP_TIMEOUT_MS 10000
#define WARMUP_ROUNDS 100
#define WARMUP_MESSAGES 1000

/* This process's CPU time (user + system) and context switches so far. */
static void print_usage(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    printf("usage %.4f %ld\n",
           (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
               (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6,
           u.ru_nvcsw + u.ru_nivcsw);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct client;
struct alox_actor ponger { int64_t pings, wrong; };
struct alox_actor pinger { int64_t pongs, wrong, expect; double last_pong; };
struct alox_actor counter { int64_t received, next, out_of_order; };
struct alox_actor client { int64_t a, b, answers; };

/* ------------------------------------------------------------------ */
/* Server side.                                                         */

alox_behave void pong(struct pinger *self, int64_t left, struct ponger *from);
alox_behave void told(struct client *self, int64_t a, int64_t b);

alox_behave void ping(struct ponger *self, int64_t left, struct pinger *from) {
    self->pings++;
    if (!from || left < 0)
        self->wrong++;
    pong(from, left, self);
}

/* How many pings so far, and how many were malformed; then start over. */
alox_behave void ponger_tally(struct ponger *self, struct client *to) {
    told(to, self->pings, self->wrong);
    self->pings = self->wrong = 0;
}

alox_behave void count(struct counter *self, int64_t seq) {
    if (seq != self->next)
        self->out_of_order++;
    self->next = seq + 1;
    self->received++;
}

/* How many messages so far, and how many out of order; then start over. */
alox_behave void counter_tally(struct counter *self, struct client *to) {
    told(to, self->received, self->out_of_order);
    self->received = self->next = self->out_of_order = 0;
}

static int serve(void) {
    struct ponger *p = alox_new(struct ponger);
    struct counter *c = alox_new(struct counter);
    if (alox_publish(p, "ponger") || alox_publish(c, "counter"))
        return 1;
    printf("serve: ready\n");
    fflush(stdout);
    int code = alox_run(); /* until SIGINT / SIGTERM */
    printf("serve: done (%d), %llu dead letters\n", code, (unsigned long long)alox_dead_letter_count());
    print_usage();
    return code;
}

/* ------------------------------------------------------------------ */
/* Client side.                                                         */

alox_behave void pong(struct pinger *self, int64_t left, struct ponger *from) {
    self->pongs++;
    if (left != self->expect)
        self->wrong++;
    self->expect = left - 1;
    if (left > 0) {
        ping(from, left - 1, self);
        return;
    }
    self->last_pong = now_s();
}

alox_behave void told(struct client *self, int64_t a, int64_t b) {
    self->a = a;
    self->b = b;
    self->answers++;
}

static _Atomic long dead_letters;
static void count_dead(const alox_dead_letter *letter) {
    if (dead_letters++ < 10)
        fprintf(stderr, "alox_remote: dead letter: %s to %s\n", letter->reason_text,
                letter->behaviour ? letter->behaviour : "?");
}

/* Asks the server for a tally and waits for the answer. */
#define TALLY(behaviour, remote, me)                                                               \
    do {                                                                                           \
        (me)->answers = 0;                                                                         \
        behaviour(remote, me);                                                                     \
        alox_run();                                                                                \
    } while (0)

static int finish(int ok) {
    if (dead_letters) {
        printf("FAIL: %ld dead letters\n", (long)dead_letters);
        ok = 0;
    }
    return ok ? 0 : 1;
}

/* Plays `rounds` round trips with a fresh pinger and returns it. */
static struct pinger *play(struct ponger *remote, long rounds) {
    struct pinger *me = alox_new(struct pinger);
    me->expect = rounds - 1;
    ping(remote, rounds - 1, me);
    alox_run(); /* the last pong has arrived and every ping is acknowledged */
    return me;
}

static int latency(long rounds, const char *server) {
    struct ponger *remote = alox_lookup(struct ponger, server, "ponger", LOOKUP_TIMEOUT_MS);
    if (!remote) {
        printf("FAIL: no ponger on %s within %d ms\n", server, LOOKUP_TIMEOUT_MS);
        return 1;
    }
    struct client *me = alox_new(struct client);
    struct pinger *warm = play(remote, WARMUP_ROUNDS);
    TALLY(ponger_tally, remote, me); /* and resets the ponger's count */
    int ok = warm->pongs == WARMUP_ROUNDS && warm->wrong == 0 && me->answers == 1 &&
             me->a == WARMUP_ROUNDS && me->b == 0;
    double t0 = now_s();
    struct pinger *timed = play(remote, rounds);
    double t_run = now_s();
    double seconds = timed->last_pong - t0;
    TALLY(ponger_tally, remote, me);
    printf("alox latency: %ld round trips in %.3f s (alox_run returned after %.3f s): "
           "%.1f us per round trip; pongs %lld (%lld wrong), server pings %lld (%lld wrong)\n",
           rounds, seconds, t_run - t0, seconds * 1e6 / (double)rounds, (long long)timed->pongs,
           (long long)timed->wrong, (long long)me->a, (long long)me->b);
    ok = ok && timed->pongs == rounds && timed->wrong == 0 && me->answers == 1 && me->a == rounds &&
         me->b == 0 && timed->last_pong > t0;
    if (!ok)
        printf("FAIL: counts wrong (warm-up: %lld pongs)\n", (long long)warm->pongs);
    ok = finish(ok) == 0;
    print_usage();
    if (ok)
        printf("result %.2f us/rt\n", seconds * 1e6 / (double)rounds);
    return ok ? 0 : 1;
}

static int throughput(long messages, const char *server) {
    struct counter *remote = alox_lookup(struct counter, server, "counter", LOOKUP_TIMEOUT_MS);
    if (!remote) {
        printf("FAIL: no counter on %s within %d ms\n", server, LOOKUP_TIMEOUT_MS);
        return 1;
    }
    struct client *me = alox_new(struct client);
    for (long i = 0; i < WARMUP_MESSAGES; i++)
        count(remote, i);
    alox_run();
    TALLY(counter_tally, remote, me); /* and resets the counter */
    int ok = me->answers == 1 && me->a == WARMUP_MESSAGES && me->b == 0;
    double t0 = now_s();
    for (long i = 0; i < messages; i++)
        count(remote, i);
    double t_sent = now_s();
    alox_run(); /* returns when the server has processed every message */
    double seconds = now_s() - t0;
    TALLY(counter_tally, remote, me);
    printf("alox throughput: %ld one-way messages (one int64 each) processed remotely in %.3f s "
           "(sends took %.3f s): %.3f M msg/s; counter received %lld, %lld out of order\n",
           messages, seconds, t_sent - t0, (double)messages / seconds / 1e6, (long long)me->a,
           (long long)me->b);
    ok = ok && me->answers == 1 && me->a == messages && me->b == 0;
    if (!ok)
        printf("FAIL: counts wrong\n");
    ok = finish(ok) == 0;
    print_usage();
    if (ok)
        printf("result %.4f Mmsg/s\n", (double)messages / seconds / 1e6);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    alox_on_dead_letter(count_dead);
    const char *role = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
    const char *server = argc > 3 ? argv[3] : "server";
    if (!strcmp(role, "serve") && argc == 2)
        return serve();
    if (!strcmp(role, "latency") && n >= 1 && n <= 100000000L)
        return latency(n, server);
    if (!strcmp(role, "throughput") && n >= 1 && n <= 1000000000L)
        return throughput(n, server);
    fprintf(stderr, "usage: alox_remote [--alox-* flags] serve | latency ROUNDS [SERVER_NODE] | "
                    "throughput MESSAGES [SERVER_NODE]\n");
    return 2;
}
