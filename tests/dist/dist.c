/*
 * dist.c - one program, every role of the issue-13 distribution tests
 * (run.sh starts the processes on 127.0.0.1 with real keys):
 *
 *   dist [--alox-* flags] ROLE [ARGS...]
 *
 * A role that checks something prints one line starting with "ok:" or
 * "FAIL:" and exits 0 only when the result is right. Servers print
 * "NODE: ready" once they serve, and end on SIGTERM (or a quit message).
 */
#include <alox.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain.h"
#include "net/node.h"

#define LOOKUP_TIMEOUT_MS 10000

struct alox_actor ponger { int64_t pongs; };
struct alox_actor pinger { int64_t pings; };

/* ------------------------------------------------------------------ */
/* Ping-pong: the smallest exchange that proves a route both ways.      */

alox_behave void pong(struct pinger *self, int64_t left, struct ponger *from);

alox_behave void ping(struct ponger *self, int64_t left, struct pinger *from) {
    self->pongs++;
    pong(from, left, self);
}

alox_behave void pong(struct pinger *self, int64_t left, struct ponger *from) {
    self->pings++;
    if (left > 0)
        ping(from, left - 1, self);
}

static _Atomic int64_t dead_letters;

static void count_dead(const alox_dead_letter *letter) {
    (void)letter;
    dead_letters++;
}

static void ready(const char *node) {
    printf("%s: ready\n", node);
    fflush(stdout);
}

/* serve NODE: publishes a ponger, serves until SIGTERM. */
static int role_serve(const char *node) {
    struct ponger *p = alox_new(struct ponger);
    if (alox_publish(p, "ponger"))
        return 1;
    ready(node);
    int code = alox_run();
    printf("%s: done: pongs %lld\n", node, (long long)p->pongs);
    return code;
}

/* ------------------------------------------------------------------ */
/* add_peer ENDPOINT: the dynamic-peer primitive (node_add_peer).       */

static void *add_from_thread(void *endpoint) {
    return (void *)(intptr_t)node_add_peer("server", endpoint);
}

static int role_add_peer(const char *endpoint) {
    alox_on_dead_letter(count_dead);
    bool stranger = node_add_peer("stranger", endpoint);  /* not in the trust file */
    bool malformed = node_add_peer("server", "server:1"); /* not tcp://HOST:PORT */
    pthread_t t;
    void *added = NULL;
    if (pthread_create(&t, NULL, add_from_thread, (void *)endpoint) != 0 || pthread_join(t, &added))
        return 1;
    struct ponger *remote = alox_lookup(struct ponger, "server", "ponger", LOOKUP_TIMEOUT_MS);
    struct pinger *me = alox_new(struct pinger);
    if (remote)
        ping(remote, 99, me);
    alox_run();
    int ok = !stranger && !malformed && added && remote && me->pings == 100 && dead_letters == 0;
    printf("%s add_peer: stranger %s, malformed %s, trusted %s, lookup %s, %lld of 100 pongs, "
           "%lld dead letters\n",
           ok ? "ok:" : "FAIL:", stranger ? "accepted" : "refused", malformed ? "accepted" : "refused",
           added ? "accepted" : "refused", remote ? "found" : "NULL", (long long)me->pings,
           (long long)dead_letters);
    return ok ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* Item 8: a reference to an actor on a third node.                     */

struct alox_actor broker { struct ponger *held; };
struct alox_actor third { int64_t offers; struct pinger *me; };

alox_behave void offer(struct third *self, struct ponger *found);

alox_behave void want(struct broker *self, struct third *asker) { offer(asker, self->held); }

alox_behave void offer(struct third *self, struct ponger *found) {
    self->offers++;
    if (!self->me) /* the item-4 victim: a retyped reference got through */
        alox_exit(1);
    if (found)
        ping(found, 9, self->me);
}

/* broker NODE OWNER: looks up OWNER's ponger, publishes a broker that
 * hands the reference to whoever asks. */
static int role_broker(const char *node, const char *owner) {
    struct broker *b = alox_new(struct broker);
    b->held = alox_lookup(struct ponger, owner, "ponger", LOOKUP_TIMEOUT_MS);
    if (!b->held || alox_publish(b, "broker"))
        return 1;
    ready(node);
    return alox_run();
}

/* third BROKER_NODE: gets a reference to a ponger of a node it has no
 * --alox-peer for, and plays 10 rounds with it. */
static int role_third(const char *broker_node) {
    alox_on_dead_letter(count_dead);
    struct broker *b = alox_lookup(struct broker, broker_node, "broker", LOOKUP_TIMEOUT_MS);
    struct third *me = alox_new(struct third);
    me->me = alox_new(struct pinger);
    if (b)
        want(b, me);
    alox_run();
    int ok = b && me->offers == 1 && me->me->pings == 10 && dead_letters == 0;
    printf("%s third: broker %s, %lld offer, %lld of 10 pongs from the third node, %lld dead "
           "letters\n",
           ok ? "ok:" : "FAIL:", b ? "found" : "NULL", (long long)me->offers,
           (long long)me->me->pings, (long long)dead_letters);
    return ok ? 0 : 1;
}

/* A ring of N nodes, each listing only the next: a tour goes round it,
 * each member tells the origin (a node it has no address for) who it is,
 * and the origin probes each member directly. */
struct alox_actor member { int32_t index; struct member *next; };
struct alox_actor origin { int32_t size; int32_t visits, probes; };

alox_behave void visited(struct origin *self, int32_t index, struct member *who);
alox_behave void probed(struct origin *self, int32_t index);

alox_behave void tour(struct member *self, int32_t size, struct origin *from) {
    visited(from, self->index, self);
    if (self->index + 1 < size)
        tour(self->next, size, from);
}

alox_behave void probe(struct member *self, struct origin *from) { probed(from, self->index); }

alox_behave void visited(struct origin *self, int32_t index, struct member *who) {
    (void)index;
    self->visits++;
    probe(who, self);
}

alox_behave void probed(struct origin *self, int32_t index) {
    (void)index;
    if (++self->probes == self->size - 1) {
        printf("ok: ring: %d visits, %d probes answered across %d nodes\n", self->visits,
               self->probes, self->size);
        alox_exit(0);
    }
}

/* ring INDEX SIZE NEXT_NODE: member INDEX; member 0 also starts the tour. */
static int role_ring(int index, int size, const char *node, const char *next_node) {
    alox_on_dead_letter(count_dead);
    struct member *m = alox_new(struct member);
    m->index = index;
    if (alox_publish(m, "member"))
        return 1;
    m->next = alox_lookup(struct member, next_node, "member", LOOKUP_TIMEOUT_MS);
    if (!m->next) {
        printf("FAIL: ring: %s found no member on %s\n", node, next_node);
        return 1;
    }
    ready(node);
    if (index == 0) {
        struct origin *o = alox_new(struct origin);
        o->size = size;
        tour(m->next, size, o);
    }
    int code = alox_run();
    printf("%s: done, %lld dead letters\n", node, (long long)dead_letters);
    return code;
}

/* Item 2: termination causal across hops (chain.h).                   */

/* relays NODE: publishes two relays, "relay" and "relay2". */
static int role_relays(const char *node) {
    if (alox_publish(alox_new(struct relay), "relay") || alox_publish(alox_new(struct relay), "relay2"))
        return 1;
    ready(node);
    return alox_run();
}

/* converse ROUNDS: a long conversation with "server"'s ponger. Both nodes
 * stay engaged by their first message, so what waits for a "done" must
 * not grow with the rounds (resident memory at 10% and at the end), and
 * once the last pong has run alox_run must return at once, not after the
 * peer timeout. */

#define CONVERSE_MAX_GROWTH_KB 1024 /* flat: +64 KiB seen; the rejected design grew ~230 bytes a round trip */
#define CONVERSE_MAX_END_MS 500     /* the peer timeout in ctest is 1000 ms (5000 sanitized) */

struct alox_actor talker { int64_t pongs, rounds, rss_early_kb; double last_pong_s; };

static int64_t rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int64_t kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %" SCNd64, &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

alox_behave void said(struct talker *self, int64_t left, struct ponger *from);

alox_behave void ping_talker(struct ponger *self, int64_t left, struct talker *from) {
    self->pongs++;
    said(from, left, self);
}

alox_behave void said(struct talker *self, int64_t left, struct ponger *from) {
    self->pongs++;
    if (self->pongs == self->rounds / 10)
        self->rss_early_kb = rss_kb();
    if (left > 0)
        ping_talker(from, left - 1, self);
    else
        self->last_pong_s = mono_s();
}

static int role_converse(long rounds) {
    struct ponger *server = alox_lookup(struct ponger, "server", "ponger", LOOKUP_TIMEOUT_MS);
    if (!server) {
        printf("FAIL: converse: lookup timed out\n");
        return 1;
    }
    struct talker *me = alox_new(struct talker);
    me->rounds = rounds;
    double start = mono_s();
    ping_talker(server, rounds - 1, me);
    int code = alox_run();
    double end = mono_s();
    int64_t growth = rss_kb() - me->rss_early_kb;
    double end_ms = (end - me->last_pong_s) * 1e3;
    const char *sanitized = getenv("ALOX_TEST_SANITIZED"); /* its allocator keeps freed memory */
    bool memory_ok = growth < CONVERSE_MAX_GROWTH_KB || (sanitized && !strcmp(sanitized, "1"));
    bool ok = code == 0 && me->pongs == rounds && memory_ok && end_ms < CONVERSE_MAX_END_MS;
    printf("%s converse: %lld of %ld round trips in %.2f s, resident memory %+lld KiB from 10%% "
           "to the end (bound %d), alox_run returned %.1f ms after the last pong (bound %d)\n",
           ok ? "ok:" : "FAIL:", (long long)me->pongs, rounds, me->last_pong_s - start,
           (long long)growth, CONVERSE_MAX_GROWTH_KB, end_ms, CONVERSE_MAX_END_MS);
    return ok ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* Item 3: remote-spawn ids across a restart of the requester. Tallies
 * are stateful: an old actor reached again answers 3 and 4, not 1 and 2. */

struct spawner;
struct alox_actor tally { int64_t jobs; };
struct alox_actor spawner { int64_t replies, sum, fresh; };

alox_behave void tallied(struct spawner *self, int64_t jobs);

alox_behave void add(struct tally *self, struct spawner *to) { tallied(to, ++self->jobs); }

alox_behave void tallied(struct spawner *self, int64_t jobs) {
    self->replies++;
    self->sum += jobs;
}

static _Atomic int64_t spawns_refused;

static void count_spawn_dead(const alox_dead_letter *letter) {
    dead_letters++;
    if (letter->reason == ALOX_DEAD_NO_SUCH_ACTOR && letter->behaviour &&
        !strcmp(letter->behaviour, "(spawn)"))
        spawns_refused++;
}

/* spawner N fresh|collide: N tallies on "server", two adds each. fresh:
 * every reply from a new actor (2N replies summing to 3N). collide (ids
 * pinned to a previous run's): every spawn refused, nothing reaches the
 * previous run's actors. */
static int role_spawner(long n, const char *mode) {
    alox_on_dead_letter(count_spawn_dead);
    struct spawner *me = alox_new(struct spawner);
    for (long i = 0; i < n; i++) {
        struct tally *t = alox_new_on("server", struct tally);
        add(t, me);
        add(t, me);
    }
    alox_run();
    bool fresh = !strcmp(mode, "fresh");
    int ok = fresh ? me->replies == 2 * n && me->sum == 3 * n && spawns_refused == 0
                   : me->replies == 0 && spawns_refused == n;
    printf("%s spawner (%s): %lld replies summing to %lld, %lld spawns refused (dead letters), of "
           "%ld\n",
           ok ? "ok:" : "FAIL:", mode, (long long)me->replies, (long long)me->sum,
           (long long)spawns_refused, n);
    return ok ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* Item 9: signals and endings.                                          */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static _Atomic int64_t dead_ended, dead_lost, dead_spawns;

static void count_endings(const alox_dead_letter *letter) {
    dead_letters++;
    if (letter->reason == ALOX_DEAD_ENDED)
        dead_ended++;
    if (letter->reason == ALOX_DEAD_PEER_LOST)
        dead_lost++;
    if (letter->behaviour && !strcmp(letter->behaviour, "(spawn)"))
        dead_spawns++;
}

/* lookup_wait: a lookup that would wait 20 s; SIGTERM must end it now. */
static int role_lookup_wait(void) {
    printf("looking up\n");
    double t0 = now_s();
    struct ponger *p = alox_lookup(struct ponger, "server", "no-such-name", 20000);
    printf("lookup_wait: returned %s after %.2f s\n", p ? "a reference" : "NULL", now_s() - t0);
    return p ? 1 : 0;
}

/* flood N: N pings to a server the test stops (SIGSTOP), then SIGTERM
 * here: every ping must be a dead letter before alox_run returns. */
static int role_flood(long n) {
    alox_on_dead_letter(count_endings);
    struct ponger *remote = alox_lookup(struct ponger, "server", "ponger", LOOKUP_TIMEOUT_MS);
    if (!remote)
        return 1;
    printf("found\n");
    nanosleep(&(struct timespec){0, 200000000}, NULL); /* the test stops the server meanwhile */
    struct pinger *me = alox_new(struct pinger);
    for (long i = 0; i < n; i++)
        ping(remote, 0, me);
    printf("sent\n");
    int code = alox_run();
    long long accounted = me->pings + dead_ended + dead_lost;
    printf("%s flood: run returned %d; %lld pongs, %lld dead letters (ended %lld, peer lost %lld), "
           "%lld of %ld accounted\n",
           accounted == n ? "ok:" : "FAIL:", code, (long long)me->pings, (long long)dead_letters,
           (long long)dead_ended, (long long)dead_lost, accounted, n);
    return accounted == n ? 0 : 1;
}

/* spawn_drop K: K spawns and K adds to a stopped server that is then
 * lost: 2K dead letters, K of them the spawns. */
static int role_spawn_drop(long k) {
    alox_on_dead_letter(count_endings);
    struct spawner *me = alox_new(struct spawner);
    for (long i = 0; i < k; i++)
        add(alox_new_on("server", struct tally), me);
    printf("sent\n");
    alox_run();
    int ok = dead_letters == 2 * k && dead_spawns == k && me->replies == 0;
    printf("%s spawn_drop: %lld dead letters, %lld of them spawns, of %ld spawns and %ld sends\n",
           ok ? "ok:" : "FAIL:", (long long)dead_letters, (long long)dead_spawns, k, k);
    return ok ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* Item 4: a trusted peer that lies (liar.c plays it).                  */

int liar_main(const char *name, const char *key_path, const char *victim_pub, const char *endpoint,
              const char *third_node);

static void victim_dead_letter(const alox_dead_letter *letter) {
    dead_letters++;
    if (letter->reason == ALOX_DEAD_SIGNATURE_MISMATCH) {
        printf("victim: the retyping offer is a dead letter (signature mismatch)\n");
        alox_exit(0);
    }
}

/* offer on the victim: the liar's retyping got through. */
static int role_victim(const char *liar_node) {
    alox_on_dead_letter(victim_dead_letter);
    struct third *me = alox_new(struct third); /* me->me NULL: offer ends the run with 1 */
    if (alox_publish(me, "victim"))
        return 1;
    struct ponger *foreign = alox_lookup(struct ponger, liar_node, "ponger", LOOKUP_TIMEOUT_MS);
    struct ponger *retyped = alox_lookup(struct ponger, liar_node, "ponger2", LOOKUP_TIMEOUT_MS);
    struct ponger *real = alox_lookup(struct ponger, liar_node, "real", LOOKUP_TIMEOUT_MS);
    int code = alox_run(); /* ends at the dead letter (or a hijacked offer's ping fails) */
    int ok = !foreign && !retyped && real && code == 0 && me->offers == 0;
    printf("%s victim: another node's actor %s, another type %s, the truth %s, retyped offers "
           "run %lld\n",
           ok ? "ok:" : "FAIL:", foreign ? "ACCEPTED" : "refused", retyped ? "ACCEPTED" : "refused",
           real ? "accepted" : "refused", (long long)me->offers);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *role = argc > 1 ? argv[1] : "";
    const char *a = argc > 2 ? argv[2] : "";
    if (!strcmp(role, "serve"))
        return role_serve(a);
    if (!strcmp(role, "add_peer"))
        return role_add_peer(a);
    const char *b = argc > 3 ? argv[3] : "";
    if (!strcmp(role, "broker"))
        return role_broker(a, b);
    if (!strcmp(role, "third"))
        return role_third(a);
    if (!strcmp(role, "converse") && argc > 2)
        return role_converse(atol(argv[2]));
    if (!strcmp(role, "relays"))
        return role_relays(a);
    if (!strcmp(role, "chain") && argc > 5)
        return chain_jobs(atoi(a), atoi(b), argv[4], argv[5]);
    if (!strcmp(role, "lookup_wait"))
        return role_lookup_wait();
    if (!strcmp(role, "flood"))
        return role_flood(atol(a));
    if (!strcmp(role, "spawn_drop"))
        return role_spawn_drop(atol(a));
    if (!strcmp(role, "spawner"))
        return role_spawner(atol(a), b);
    if (!strcmp(role, "victim"))
        return role_victim(a);
    if (!strcmp(role, "liar") && argc > 6)
        return liar_main(a, b, argv[4], argv[5], argv[6]);
    if (!strcmp(role, "ring") && argc > 5)
        return role_ring(atoi(a), atoi(b), argv[4], argv[5]);
    fprintf(stderr, "usage: dist [--alox-* flags] serve|add_peer|broker|third|ring|victim|liar ARGS...\n");
    return 2;
}
