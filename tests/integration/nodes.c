/*
 * nodes.c - one program, several roles, for the multi-process tests of
 * distribution (run.sh starts them on 127.0.0.1 with real keys):
 *
 *   nodes [--alox-* flags] server
 *   nodes [--alox-* flags] pingpong ROUNDS      (and the other client roles below)
 *
 * Each client role checks its own result, prints one line starting with
 * "ok:" or "FAIL:", and exits 0 only when the result is right.
 */
#include <alox.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOOKUP_TIMEOUT_MS 10000

struct client;
struct alox_actor ponger { int64_t pongs; };
struct alox_actor pinger { int64_t pings, rounds; struct client *boss; };
struct alox_actor sink { int64_t next[64]; int64_t received, out_of_order; };
struct alox_actor counter { int64_t count; };
struct alox_actor worker { int64_t jobs; };
struct alox_actor control { int32_t unused; };
struct alox_actor client { int64_t results, sum, echoes, expected, progress_mark; };
struct alox_actor sender { int32_t id; };

/* ------------------------------------------------------------------ */
/* Server side.                                                         */

alox_behave void pong(struct pinger *self, int64_t left, struct ponger *from);

alox_behave void ping(struct ponger *self, int64_t left, struct pinger *from) {
    self->pongs++;
    pong(from, left, self);
}

alox_behave void item(struct sink *self, int32_t from, int64_t seq) {
    if (from < 0 || from >= 64 || self->next[from] != seq)
        self->out_of_order++;
    else
        self->next[from]++;
    self->received++;
}

alox_behave void sink_report(struct client *self, int64_t received, int64_t out_of_order);

alox_behave void report(struct sink *self, struct client *to) {
    sink_report(to, self->received, self->out_of_order);
}

alox_behave void echo(struct client *self, int64_t n);

alox_behave void count(struct counter *self, int64_t n, struct client *reply_to) {
    self->count++;
    if (reply_to)
        echo(reply_to, n);
}

alox_behave void result(struct client *self, int64_t value);

alox_behave void work(struct worker *self, int64_t n, struct client *reply_to) {
    self->jobs++;
    result(reply_to, n * n);
}

alox_behave void quit(struct control *self, int32_t code) {
    (void)self;
    printf("server: quit(%d)\n", code);
    alox_exit(code);
}

alox_behave void look(struct counter *self, alox_stage const char *text) {
    (void)self, (void)text;
}

static int server(void) {
    struct ponger *p = alox_new(struct ponger);
    struct sink *s = alox_new(struct sink);
    struct counter *c = alox_new(struct counter);
    if (alox_publish(p, "ponger") || alox_publish(s, "sink") || alox_publish(c, "counter") ||
        alox_publish(alox_new(struct control), "control"))
        return 1;
    printf("server: ready\n");
    fflush(stdout);
    int code = alox_run();
    printf("server: done: pongs %lld, sink %lld received %lld out of order, counter %lld\n",
           (long long)p->pongs, (long long)s->received, (long long)s->out_of_order,
           (long long)c->count);
    return code;
}

/* ------------------------------------------------------------------ */
/* Client side.                                                         */

alox_behave void pong(struct pinger *self, int64_t left, struct ponger *from) {
    self->pings++;
    if (left > 0)
        ping(from, left - 1, self);
}

alox_behave void sink_report(struct client *self, int64_t received, int64_t out_of_order) {
    self->results = received;
    self->sum = out_of_order;
}

/* Prints "echoed K" once, at the progress mark: the kill -9 test kills
 * the server when it sees it, in the middle of the stream however fast the
 * stream goes. */
/* Per message of the stream: bit 1 echoed, bit 2 reported dead. */
static _Atomic uint8_t *fate;
static long fate_size;

static void mark_fate(int64_t n, uint8_t bit) {
    if (fate && n >= 0 && n < fate_size)
        atomic_fetch_or(&fate[n], bit);
}

alox_behave void echo(struct client *self, int64_t n) {
    mark_fate(n, 1);
    if (++self->echoes == self->progress_mark) {
        printf("echoed %lld\n", (long long)self->echoes);
        fflush(stdout);
    }
}

alox_behave void result(struct client *self, int64_t value) {
    self->results++;
    self->sum += value;
}

alox_behave void stream(struct sender *self, int32_t id, int64_t n, struct sink *to) {
    self->id = id;
    for (int64_t i = 0; i < n; i++)
        item(to, id, i);
}

static _Atomic int64_t dead_by_reason[16];

static void count_dead(const alox_dead_letter *letter) {
    if ((unsigned)letter->reason < 16)
        dead_by_reason[letter->reason]++;
    int64_t n;
    if (letter->args && letter->args_size >= sizeof n && strcmp(letter->behaviour, "counter.count") == 0) {
        memcpy(&n, letter->args, sizeof n); /* count(n, reply_to): n first */
        mark_fate(n, 2);
    }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define LOOKUP(T, name)                                                                           \
    ({                                                                                            \
        T *found_ = alox_lookup(T, "server", name, LOOKUP_TIMEOUT_MS);                            \
        if (!found_) {                                                                            \
            printf("FAIL: lookup of %s timed out\n", name);                                       \
            return 1;                                                                             \
        }                                                                                         \
        found_;                                                                                   \
    })

static int check(int ok, const char *format, long long a, long long b) {
    printf("%s", ok ? "ok: " : "FAIL: ");
    printf(format, a, b);
    printf("\n");
    return ok ? 0 : 1;
}

static int role_pingpong(long rounds) {
    struct ponger *remote = LOOKUP(struct ponger, "ponger");
    struct pinger *me = alox_new(struct pinger);
    double t0 = now_s();
    ping(remote, rounds - 1, me);
    alox_run();
    double seconds = now_s() - t0;
    fprintf(stderr, "pingpong: %ld round trips in %.3f s (%.1f us per round trip)\n", rounds, seconds,
            seconds * 1e6 / rounds);
    return check(me->pings == rounds, "pingpong: %lld of %lld round trips", me->pings, rounds);
}

static int role_spawn(long workers) {
    struct client *me = alox_new(struct client);
    int64_t expected = 0;
    for (long i = 0; i < workers; i++) {
        struct worker *w = alox_new_on("server", struct worker);
        work(w, i, me);
        work(w, i + 1, me);
        expected += i * i + (i + 1) * (i + 1);
    }
    alox_run();
    return check(me->results == 2 * workers && me->sum == expected,
                 "spawn: %lld results, sum right: %lld", me->results, me->sum == expected);
}

static int role_lookup(void) {
    double t0 = now_s();
    struct ponger *missing = alox_lookup(struct ponger, "server", "no-such-name", 300);
    double waited = now_s() - t0;
    struct sink *wrong = alox_lookup(struct sink, "server", "ponger", 3000);
    struct ponger *right = alox_lookup(struct ponger, "server", "ponger", 3000);
    int ok = missing == NULL && waited >= 0.29 && wrong == NULL && right != NULL;
    printf("%s lookup: missing %s after %.2f s, wrong type %s, right type %s\n", ok ? "ok:" : "FAIL:",
           missing ? "found" : "NULL", waited, wrong ? "found" : "NULL", right ? "found" : "NULL");
    return ok ? 0 : 1;
}

static int role_order(long senders, long per_sender) {
    struct sink *remote = LOOKUP(struct sink, "sink");
    for (long s = 0; s < senders; s++)
        stream(alox_new(struct sender), (int32_t)s, per_sender, remote);
    alox_run(); /* returns once the sink has processed every item */
    struct client *me = alox_new(struct client);
    report(remote, me);
    alox_run();
    return check(me->results == senders * per_sender && me->sum == 0,
                 "order: %lld items received, %lld out of order", me->results, me->sum);
}

static int role_stream(long n, int echo_wanted) {
    alox_on_dead_letter(count_dead);
    struct counter *remote = LOOKUP(struct counter, "counter");
    struct client *me = alox_new(struct client);
    me->progress_mark = n / 10;
    fate = calloc((size_t)n, 1);
    fate_size = n;
    printf("streaming\n");
    fflush(stdout);
    double t0 = now_s();
    for (long i = 0; i < n; i++)
        count(remote, i, echo_wanted ? me : NULL);
    alox_run();
    double seconds = now_s() - t0;
    fprintf(stderr, "stream: %ld messages processed remotely in %.3f s (%.2f M msg/s)\n", n, seconds,
            n / seconds / 1e6);
    if (!echo_wanted)
        return check(dead_by_reason[ALOX_DEAD_PEER_LOST] == 0, "flood: %lld lost of %lld",
                     (long long)dead_by_reason[ALOX_DEAD_PEER_LOST], n);
    long long dead = dead_by_reason[ALOX_DEAD_PEER_LOST];
    printf("stream: sent %ld, echoes %lld, dead letters (peer lost) %lld\n", n, (long long)me->echoes,
           dead);
    /* Every message is echoed or reported dead, checked one by one, and
     * never both: an echo proves its count ran (its caused_by, see
     * runtime/net/peer.h), so the count is no dead letter even when the
     * server died before acknowledging it (docs/ARCHITECTURE.md, "what a
     * dead letter means across a crash"). */
    long long neither = 0, both = 0;
    for (long i = 0; i < n; i++) {
        neither += fate[i] == 0;
        both += fate[i] == 3;
    }
    printf("stream: %lld neither echoed nor reported, %lld both\n", neither, both);
    return check(neither == 0 && both == 0, "stream: accounted, one by one, never both: %lld of %lld",
                 n - neither - both, n);
}

static int role_stage(void) {
    alox_on_dead_letter(count_dead);
    struct counter *remote = LOOKUP(struct counter, "counter");
    static const char text[] = "stays here";
    look(remote, text);
    alox_run();
    return check(dead_by_reason[ALOX_DEAD_STAGE_OFF_STAGE] == 1,
                 "stage: %lld dead letters 'stage pointer off-stage' (want %lld)",
                 (long long)dead_by_reason[ALOX_DEAD_STAGE_OFF_STAGE], 1);
}

/* Holds a reference across a restart of the server: the old reference is
 * dead (a dead letter), a new lookup finds the new incarnation. */
static int role_restart(void) {
    alox_on_dead_letter(count_dead);
    struct ponger *old = LOOKUP(struct ponger, "ponger");
    struct pinger *me = alox_new(struct pinger);
    ping(old, 0, me);
    alox_run();
    printf("waiting for the restart\n");
    char line[16];
    if (!fgets(line, sizeof line, stdin))
        return 1;
    ping(old, 0, me);
    alox_run(); /* returns once that message is reported lost */
    struct ponger *fresh = LOOKUP(struct ponger, "ponger");
    ping(fresh, 0, me);
    alox_run();
    int ok = me->pings == 2 && dead_by_reason[ALOX_DEAD_PEER_LOST] == 1 && fresh != old;
    printf("%s restart: %lld pongs, %lld lost, new reference %s\n", ok ? "ok:" : "FAIL:",
           (long long)me->pings, (long long)dead_by_reason[ALOX_DEAD_PEER_LOST],
           fresh != old ? "differs" : "is the old one");
    return ok ? 0 : 1;
}

static int role_quit(void) {
    quit(LOOKUP(struct control, "control"), 0);
    alox_run();
    printf("ok: quit sent\n");
    return 0;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *role = argc > 1 ? argv[1] : "";
    long a = argc > 2 ? atol(argv[2]) : 0, b = argc > 3 ? atol(argv[3]) : 0;
    if (!strcmp(role, "server"))
        return server();
    if (!strcmp(role, "pingpong"))
        return role_pingpong(a > 0 ? a : 1000);
    if (!strcmp(role, "spawn"))
        return role_spawn(a > 0 ? a : 100);
    if (!strcmp(role, "lookup"))
        return role_lookup();
    if (!strcmp(role, "order"))
        return role_order(a > 0 ? a : 8, b > 0 ? b : 10000);
    if (!strcmp(role, "stream"))
        return role_stream(a > 0 ? a : 100000, 1);
    if (!strcmp(role, "flood"))
        return role_stream(a > 0 ? a : 1000000, 0);
    if (!strcmp(role, "stage"))
        return role_stage();
    if (!strcmp(role, "restart"))
        return role_restart();
    if (!strcmp(role, "quit"))
        return role_quit();
    fprintf(stderr, "usage: nodes [--alox-* flags] server|pingpong|spawn|lookup|order|stream|stage|quit [n] [m]\n");
    return 2;
}
