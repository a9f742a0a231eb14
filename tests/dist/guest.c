/*
 * guest.c - remote messages that arrive while every worker is parked run
 * on the mailman (runtime/core/guest.h); run.sh case "guest" starts the
 * two processes:
 *
 *   dist_guest [--alox-* flags] serve NODE
 *   dist_guest [--alox-* flags] client ROUNDS
 *
 * The client plays ROUNDS round trips with the server's "echo", one at a
 * time; each hit also goes through a local helper on the server, which
 * answers the client too (a caused local send). It checks:
 * - the reply leaves from the thread that received the request: at most
 *   GUEST_MAX_SWITCHES voluntary context switches per round trip in each
 *   process (with a worker woken on both sides, about 5);
 * - every answer and every helper's answer is in when alox_run returns
 *   (causal termination), in order;
 * - one behaviour at a time: bursts of local pokes (run on workers) race
 *   the remote hits, and echo counts any overlap;
 * - alox_stop in a guest run: the sends after it are dead letters there.
 */
#include <alox.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define LOOKUP_TIMEOUT_MS 10000
#define GUEST_MAX_SWITCHES 3.5 /* per round trip and process (voluntary): ~2.3; workers woken: ~5 */
#define AFTER_STOP 5           /* sends to the stopped actor */

struct client;
struct alox_actor helper { int64_t helped; };
struct alox_actor echo { struct helper *helper; int64_t next, disorder, overlaps, pokes; _Atomic int inside; };
struct alox_actor poker { struct echo *echo; };
struct alox_actor stopper { int64_t runs; };
struct alox_actor client {
    struct echo *echo;
    struct poker *poker;
    int64_t left, sent, backs, helps, disorder, told[4], answers;
};

static _Atomic long dead_letters;
static void count_dead(const alox_dead_letter *letter) {
    (void)letter;
    dead_letters++;
}

static long voluntary_switches(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_nvcsw;
}

/* ------------------------------------------------------------------ */
/* Server.                                                              */

alox_behave void back(struct client *self, int64_t seq);
alox_behave void helped(struct client *self, int64_t seq);
alox_behave void told(struct client *self, int64_t a, int64_t b, int64_t c, int64_t d);

alox_behave void relay(struct helper *self, int64_t seq, struct client *to) {
    self->helped++;
    helped(to, seq);
}

static void enter(struct echo *self) {
    if (atomic_fetch_add(&self->inside, 1) != 0)
        self->overlaps++;
}
static void leave(struct echo *self) { atomic_fetch_sub(&self->inside, 1); }

alox_behave void hit(struct echo *self, int64_t seq, struct client *from) {
    enter(self);
    if (seq != self->next)
        self->disorder++;
    self->next = seq + 1;
    relay(self->helper, seq, from);
    back(from, seq);
    leave(self);
}

alox_behave void poke(struct echo *self) {
    enter(self);
    self->pokes++;
    leave(self);
}

alox_behave void kick(struct poker *self, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        poke(self->echo);
}

/* The server's voluntary switches, overlaps, disorder and dead letters. */
alox_behave void echo_tally(struct echo *self, struct client *to) {
    told(to, voluntary_switches(), self->overlaps, self->disorder, dead_letters);
}

alox_behave void last(struct stopper *self) {
    self->runs++;
    alox_stop(self);
}

alox_behave void after(struct stopper *self) { self->runs++; }

static int serve(const char *node) {
    alox_on_dead_letter(count_dead);
    struct echo *e = alox_new(struct echo);
    e->helper = alox_new(struct helper);
    struct poker *p = alox_new(struct poker);
    p->echo = e;
    if (alox_publish(e, "echo") || alox_publish(p, "poker") || alox_publish(alox_new(struct stopper), "stopper"))
        return 1;
    printf("%s: ready\n", node);
    fflush(stdout);
    return alox_run();
}

/* ------------------------------------------------------------------ */
/* Client.                                                              */

static void next_hit(struct client *self) {
    if (self->left == 0)
        return;
    self->left--;
    if (self->poker && self->sent % 10 == 0)
        kick(self->poker, 20);
    hit(self->echo, self->sent++, self);
}

alox_behave void back(struct client *self, int64_t seq) {
    if (seq != self->backs)
        self->disorder++;
    self->backs++;
    next_hit(self);
}

alox_behave void helped(struct client *self, int64_t seq) {
    if (seq != self->helps)
        self->disorder++;
    self->helps++;
}

alox_behave void told(struct client *self, int64_t a, int64_t b, int64_t c, int64_t d) {
    self->told[0] = a, self->told[1] = b, self->told[2] = c, self->told[3] = d;
    self->answers++;
}

static int64_t *tally(struct client *me) {
    me->answers = 0;
    echo_tally(me->echo, me);
    alox_run();
    return me->answers == 1 ? me->told : NULL;
}

/* ROUNDS round trips; returns false if an answer was missing at the end. */
static bool play(struct client *me, int64_t rounds, struct poker *poker) {
    int64_t before = me->backs;
    me->left = rounds;
    me->poker = poker;
    next_hit(me);
    alox_run();
    return me->backs == before + rounds && me->helps == me->backs && me->disorder == 0;
}

static int client(int64_t rounds) {
    alox_on_dead_letter(count_dead);
    struct client *me = alox_new(struct client);
    me->echo = alox_lookup(struct echo, "server", "echo", LOOKUP_TIMEOUT_MS);
    struct poker *poker = alox_lookup(struct poker, "server", "poker", LOOKUP_TIMEOUT_MS);
    struct stopper *stopper = alox_lookup(struct stopper, "server", "stopper", LOOKUP_TIMEOUT_MS);
    if (!me->echo || !poker || !stopper) {
        printf("FAIL: guest: lookups timed out\n");
        return 1;
    }
    bool ok = play(me, 100, NULL); /* warm-up: connections, exports */
    int64_t *t0 = tally(me);
    int64_t server0 = t0 ? t0[0] : 0;
    long client0 = voluntary_switches();
    ok = play(me, rounds, NULL) && ok;
    long client1 = voluntary_switches();
    int64_t *t1 = tally(me);
    double server_rt = t1 ? (double)(t1[0] - server0) / (double)rounds : 1e9;
    double client_rt = (double)(client1 - client0) / (double)rounds;
    ok = play(me, rounds, poker) && ok; /* now with local pokes racing the hits */
    last(stopper);
    for (int i = 0; i < AFTER_STOP; i++)
        after(stopper);
    alox_run();
    int64_t *t2 = tally(me);
    bool fast = server_rt <= GUEST_MAX_SWITCHES && client_rt <= GUEST_MAX_SWITCHES;
    ok = ok && t1 && t2 && fast && t2[1] == 0 && t2[2] == 0 && t2[3] == AFTER_STOP && dead_letters == 0;
    printf("%s guest: %lld round trips; voluntary context switches per round trip: server %.2f, client "
           "%.2f (at most %.1f); answers %lld, helper answers %lld, out of order %lld; on the server: "
           "overlaps %lld, out of order %lld, dead letters %lld (want %d); here %ld dead letters\n",
           ok ? "ok:" : "FAIL:", (long long)rounds, server_rt, client_rt, GUEST_MAX_SWITCHES,
           (long long)me->backs, (long long)me->helps, (long long)me->disorder,
           (long long)(t2 ? t2[1] : -1), (long long)(t2 ? t2[2] : -1), (long long)(t2 ? t2[3] : -1),
           AFTER_STOP, (long)dead_letters);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *role = argc > 1 ? argv[1] : "";
    if (!strcmp(role, "serve") && argc > 2)
        return serve(argv[2]);
    if (!strcmp(role, "client") && argc > 2 && atol(argv[2]) > 0)
        return client(atol(argv[2]));
    fprintf(stderr, "usage: dist_guest [--alox-* flags] serve NODE | client ROUNDS\n");
    return 2;
}
