/*
 * dpingpong - the ping-pong demo across two processes (two schedulers),
 * encrypted with CurveZMQ. One process serves a ponger under a name; the
 * other looks it up and plays.
 *
 *   dpingpong --alox-node pong --alox-listen tcp://127.0.0.1:7000 \
 *             --alox-key keys/pong.key --alox-trust trust.txt serve
 *   dpingpong --alox-node ping --alox-peer pong=tcp://127.0.0.1:7000 \
 *             --alox-key keys/ping.key --alox-trust trust.txt play 10000
 *
 * See README.md in this directory for the keys and the trust file.
 */
#include <alox.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pinger;
struct alox_actor ponger { int64_t pongs; };
struct alox_actor pinger { int64_t pings; double started; };

alox_behave void pong(struct pinger *self, int32_t left, struct ponger *from);

/* On the serving node: answer every ping; the last one ends the server. */
alox_behave void ping(struct ponger *self, int32_t left, struct pinger *from) {
    self->pongs++;
    pong(from, left, self);
    if (left == 0) {
        printf("pong: served %lld pings, done\n", (long long)self->pongs);
        alox_exit(0);
    }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* On the playing node. */
alox_behave void pong(struct pinger *self, int32_t left, struct ponger *from) {
    self->pings++;
    if (left > 0) {
        ping(from, left - 1, self);
        return;
    }
    double seconds = now_s() - self->started;
    printf("ping: %lld round trips with a ponger on another scheduler in %.3f s "
           "(%.1f us per round trip)\n",
           (long long)self->pings, seconds, seconds * 1e6 / (double)self->pings);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    const char *role = argc > 1 ? argv[1] : "";
    if (strcmp(role, "serve") == 0) {
        if (alox_publish(alox_new(struct ponger), "ponger") != 0)
            return 1;
        printf("pong: serving a ponger as \"ponger\"\n");
        fflush(stdout);
        return alox_run(); /* until the last ping, or SIGINT / SIGTERM */
    }
    if (strcmp(role, "play") == 0) {
        long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
        const char *server = argc > 3 ? argv[3] : "pong";
        if (rounds < 1 || rounds > 100000000) {
            fprintf(stderr, "dpingpong: rounds from 1 to 100000000\n");
            return 2;
        }
        struct ponger *remote = alox_lookup(struct ponger, server, "ponger", 10000);
        if (!remote) {
            fprintf(stderr, "dpingpong: no ponger found on node %s within 10 s\n", server);
            return 1;
        }
        struct pinger *me = alox_new(struct pinger);
        me->started = now_s();
        ping(remote, (int32_t)rounds - 1, me);
        return alox_run(); /* returns when the last pong has arrived */
    }
    fprintf(stderr, "usage: dpingpong [--alox-* flags] serve | play [rounds] [server node]\n");
    return 2;
}
