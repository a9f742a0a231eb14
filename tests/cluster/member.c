/*
 * member.c - a node of the cluster tests (tests/cluster/run.sh): it knows
 * no peer, only --alox-cluster. For every member that joins it spawns an
 * echo actor there and pings it; every PING_MS it pings every member
 * reached again, so links are in use all the time (the etcd outage case
 * checks they keep working).
 *
 *   member NAME EXPECT
 *
 * Prints, one line each, flushed, with the wall-clock time in ms:
 *   ready NAME
 *   joined NODE INCARNATION T     left NODE INCARNATION T
 *   reached NODE T                members N: NAMES (alox_members), then
 *                                 ok: reached all EXPECT T
 *   peer-lost NODE T              pongs TOTAL T (every second)
 *   down NODE REASON T            (its echo's monitor fired: node-lost, stopped)
 * and runs until SIGTERM.
 */
#include <alox.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PING_MS 100
#define MAX_MEMBERS 64

typedef struct node_name {
    char text[ALOX_NODE_NAME_MAX + 1];
} node_name;

struct alox_actor echo { int64_t pings; };
struct alox_actor tracker {
    int expect, reached_count;
    node_name reached[MAX_MEMBERS];
    struct echo *echoes[MAX_MEMBERS];
    node_name echo_node[MAX_MEMBERS];
    int64_t pongs, ticks;
};

static node_name self_name;
static struct tracker *the_tracker;

static long long wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

alox_behave void pong(struct tracker *self, node_name from);
alox_behave void echo_down(struct tracker *self, uint64_t target_id, alox_down_reason reason);

alox_behave void ping(struct echo *self, struct tracker *back) {
    self->pings++;
    pong(back, self_name);
}

static int find_reached(struct tracker *self, const char *name) {
    for (int i = 0; i < self->reached_count; i++)
        if (strcmp(self->reached[i].text, name) == 0)
            return i;
    return -1;
}

alox_behave void pong(struct tracker *self, node_name from) {
    self->pongs++;
    if (find_reached(self, from.text) >= 0 || self->reached_count == MAX_MEMBERS)
        return;
    self->reached[self->reached_count++] = from;
    printf("reached %s %lld\n", from.text, wall_ms());
    if (self->reached_count == self->expect) {
        char names[MAX_MEMBERS][ALOX_NODE_NAME_MAX + 1];
        size_t n = alox_members(names, MAX_MEMBERS);
        printf("members %zu:", n);
        for (size_t i = 0; i < n && i < MAX_MEMBERS; i++)
            printf(" %s", names[i]);
        printf("\nok: reached all %d %lld\n", self->expect, wall_ms());
    }
    fflush(stdout);
}

alox_behave void member_event(struct tracker *self, node_name node, bool joined,
                              uint64_t incarnation) {
    printf("%s %s %llu %lld\n", joined ? "joined" : "left", node.text,
           (unsigned long long)incarnation, wall_ms());
    fflush(stdout);
    for (int i = 0; i < MAX_MEMBERS; i++)
        if (!self->echoes[i] && joined) { /* a new incarnation gets a new echo */
            self->echoes[i] = alox_new_on(node.text, struct echo);
            self->echo_node[i] = node;
            if (self->echoes[i]) {
                alox_monitor(self, self->echoes[i], echo_down);
                ping(self->echoes[i], self);
            }
            break;
        }
    if (!joined) { /* it may come back: it is reached again then */
        int k = find_reached(self, node.text);
        if (k >= 0)
            self->reached[k] = self->reached[--self->reached_count];
    }
}

/* The echo on a member is down: printed as "down NODE REASON T"; no more
 * pings to it (a new incarnation gets a new echo). */
alox_behave void echo_down(struct tracker *self, uint64_t target_id, alox_down_reason reason) {
    for (int i = 0; i < MAX_MEMBERS; i++)
        if (self->echoes[i] && alox_id(self->echoes[i]) == target_id) {
            printf("down %s %s %lld\n", self->echo_node[i].text,
                   reason == ALOX_DOWN_NODE_LOST ? "node-lost" : "stopped", wall_ms());
            fflush(stdout);
            self->echoes[i] = NULL;
        }
}

alox_behave void tick(struct tracker *self) {
    for (int i = 0; i < MAX_MEMBERS; i++)
        if (self->echoes[i])
            ping(self->echoes[i], self);
    if (++self->ticks % (1000 / PING_MS) == 0) {
        printf("pongs %lld %lld\n", (long long)self->pongs, wall_ms());
        fflush(stdout);
    }
    alox_after(PING_MS, tick(self));
}

static void on_member(const char *node, bool joined, uint64_t incarnation) {
    node_name n;
    snprintf(n.text, sizeof n.text, "%s", node);
    member_event(the_tracker, n, joined, incarnation);
}

static void on_peer_lost(const char *node) {
    printf("peer-lost %s %lld\n", node, wall_ms());
    fflush(stdout);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    if (argc != 3) {
        fprintf(stderr, "usage: member NAME EXPECT (with --alox-node, --alox-cluster, ...)\n");
        return 2;
    }
    snprintf(self_name.text, sizeof self_name.text, "%s", argv[1]);
    the_tracker = alox_new(struct tracker);
    the_tracker->expect = atoi(argv[2]);
    alox_on_peer_lost(on_peer_lost);
    alox_on_member(on_member);
    tick(the_tracker);
    printf("ready %s\n", self_name.text);
    fflush(stdout);
    return alox_run();
}
