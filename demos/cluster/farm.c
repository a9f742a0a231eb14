/*
 * farm.c - a work farm spread over a cluster (scripts/demo.sh cluster).
 * No node knows another's address: every one is started with
 * --alox-cluster etcd://HOST:PORT/CLUSTER and finds the others there.
 *
 *   farm worker              serves until SIGTERM
 *   farm farmer JOBS         counts the primes below JOBS * CHUNK: for each
 *                            member that joins it spawns a counter actor on
 *                            that node and keeps IN_FLIGHT jobs there; a
 *                            member that leaves gets its jobs handed to the
 *                            others. Prints who joined and who did what.
 */
#include <alox.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 50000    /* numbers per job */
#define IN_FLIGHT 2    /* jobs outstanding per member: enough to hide a round trip */
#define MAX_NODES 64
#define MAX_JOBS 4096

typedef struct node_name {
    char text[ALOX_NODE_NAME_MAX + 1];
} node_name;

struct farmer;
struct alox_actor counter { int64_t jobs; };

typedef struct member_slot {
    node_name name;
    struct counter *counter;
    bool present;
    int jobs_done, in_flight;
} member_slot;

struct alox_actor farmer {
    int jobs, next_job, done;
    int64_t primes;
    member_slot members[MAX_NODES];
    int member_count;
    int8_t owner[MAX_JOBS]; /* member slot running a job, -1 if none */
    bool finished[MAX_JOBS];
};

static node_name self_name;
static struct farmer *the_farmer;

static bool is_prime(int64_t n) {
    if (n < 2)
        return false;
    for (int64_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return false;
    return true;
}

alox_behave void result(struct farmer *self, int job, int64_t primes, node_name by);

alox_behave void count(struct counter *self, int job, struct farmer *reply_to) {
    int64_t primes = 0;
    for (int64_t n = (int64_t)job * CHUNK; n < (int64_t)(job + 1) * CHUNK; n++)
        primes += is_prime(n);
    self->jobs++;
    result(reply_to, job, primes, self_name);
}

/* The next job nobody runs, or -1. */
static int next_free_job(struct farmer *self) {
    for (int k = 0; k < self->jobs; k++) {
        int j = (self->next_job + k) % self->jobs;
        if (!self->finished[j] && self->owner[j] < 0) {
            self->next_job = j + 1;
            return j;
        }
    }
    return -1;
}

static void feed(struct farmer *self, int slot) {
    member_slot *m = &self->members[slot];
    while (m->present && m->in_flight < IN_FLIGHT) {
        int job = next_free_job(self);
        if (job < 0)
            return;
        self->owner[job] = (int8_t)slot;
        m->in_flight++;
        count(m->counter, job, self);
    }
}

static int slot_of(struct farmer *self, const char *name) {
    for (int i = 0; i < self->member_count; i++)
        if (strcmp(self->members[i].name.text, name) == 0)
            return i;
    return -1;
}

alox_behave void member_changed(struct farmer *self, node_name node, bool joined) {
    int slot = slot_of(self, node.text);
    if (joined) {
        if (slot < 0 && self->member_count == MAX_NODES)
            return;
        if (slot < 0) {
            slot = self->member_count++;
            self->members[slot].name = node;
        }
        member_slot *m = &self->members[slot];
        m->counter = alox_new_on(node.text, struct counter); /* a new incarnation: a new actor */
        m->present = m->counter != NULL;
        m->in_flight = 0;
        printf("farmer: %s joined the cluster: %d members\n", node.text, self->member_count);
        feed(self, slot);
        return;
    }
    if (slot < 0)
        return;
    member_slot *m = &self->members[slot];
    m->present = false;
    int taken = 0;
    for (int j = 0; j < self->jobs; j++)
        if (self->owner[j] == slot && !self->finished[j]) {
            self->owner[j] = -1; /* it may have run, but its answer would not come: run it again */
            taken++;
        }
    m->in_flight = 0;
    printf("farmer: %s left; its %d unfinished jobs go to the others\n", node.text, taken);
    for (int i = 0; i < self->member_count; i++)
        feed(self, i);
}

alox_behave void result(struct farmer *self, int job, int64_t primes, node_name by) {
    int slot = slot_of(self, by.text);
    if (job < 0 || job >= self->jobs || self->finished[job])
        return; /* a late answer from a node thought gone: counted once */
    self->finished[job] = true;
    self->primes += primes;
    self->done++;
    if (slot >= 0) {
        self->members[slot].jobs_done++;
        if (self->owner[job] == slot && self->members[slot].in_flight > 0)
            self->members[slot].in_flight--;
    }
    self->owner[job] = -1;
    if (self->done == self->jobs) {
        printf("farmer: %d jobs done: %lld primes below %lld\n", self->jobs,
               (long long)self->primes, (long long)self->jobs * CHUNK);
        for (int i = 0; i < self->member_count; i++) {
            member_slot *m = &self->members[i];
            printf("farmer:   %-12s %4d jobs  %5.1f%%  ", m->name.text, m->jobs_done,
                   100.0 * m->jobs_done / self->jobs);
            for (int k = 0; k < m->jobs_done * 50 / self->jobs; k++)
                putchar('#');
            putchar('\n');
        }
        fflush(stdout);
        alox_exit(0);
        return;
    }
    if (slot >= 0)
        feed(self, slot);
}

static void on_member(const char *node, bool joined, uint64_t incarnation) {
    (void)incarnation;
    node_name n;
    snprintf(n.text, sizeof n.text, "%s", node);
    member_changed(the_farmer, n, joined);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    if (argc < 2 || (strcmp(argv[1], "farmer") == 0 && argc < 3)) {
        fprintf(stderr, "usage: farm worker | farm farmer JOBS (with --alox-node, --alox-cluster, ...)\n");
        return 2;
    }
    const char *node = getenv("ALOX_NODE");
    snprintf(self_name.text, sizeof self_name.text, "%s", node ? node : "?");
    if (strcmp(argv[1], "worker") == 0)
        return alox_run();
    the_farmer = alox_new(struct farmer);
    the_farmer->jobs = atoi(argv[2]);
    if (the_farmer->jobs < 1 || the_farmer->jobs > MAX_JOBS) {
        fprintf(stderr, "farm: JOBS must be from 1 to %d\n", MAX_JOBS);
        return 2;
    }
    memset(the_farmer->owner, -1, sizeof the_farmer->owner);
    alox_on_member(on_member);
    return alox_run();
}
