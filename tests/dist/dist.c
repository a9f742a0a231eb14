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

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *role = argc > 1 ? argv[1] : "";
    const char *a = argc > 2 ? argv[2] : "";
    if (!strcmp(role, "serve"))
        return role_serve(a);
    if (!strcmp(role, "add_peer"))
        return role_add_peer(a);
    fprintf(stderr, "usage: dist [--alox-* flags] serve|add_peer ARGS...\n");
    return 2;
}
