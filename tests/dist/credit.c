/*
 * credit.c - remote counting into a slow receiver (issue 16, "credit":
 * runtime/net/credit.h). run.sh case "credit" starts two of these that
 * flood each other; bench/overload/remote_slow.sh starts a sender and a
 * receiver.
 *
 *   dist_credit [--alox-* flags] flood NODE PEER SEND RECEIVE WORK MAX_UNCONFIRMED MAX_GROWTH_MB
 *
 * Each process publishes a slow counter ("sink": WORK busy-loop rounds a
 * message) and a coordinator ("coord"), sends SEND small messages to PEER's
 * sink from SENDERS actors (CHUNK a behaviour), and expects RECEIVE on its
 * own. Every PROGRESS_EVERY messages the sink tells the sender's coordinator
 * its count, so the sender knows how many of its messages are sent and not
 * yet counted (unconfirmed: queued here, in flight, or in the receiver's
 * mailbox); at RECEIVE it says "finished". A process ends when its sink has
 * everything and (if it sent) the peer's sink has said finished. It prints
 * one line, "ok:" or "FAIL:", with: messages counted and their sum (nothing
 * lost, nothing twice), the largest unconfirmed count seen (at most
 * MAX_UNCONFIRMED; 0: not checked), peak RSS and its growth over the RSS
 * after the lookups (at most MAX_GROWTH_MB; 0: not checked), dead letters
 * (none), and the send rate.
 */
#include <alox.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOOKUP_TIMEOUT_MS 20000
#define SENDERS 4            /* sending actors per process */
#define CHUNK 1000           /* messages a sender sends per behaviour */
#define PROGRESS_EVERY 4096  /* the sink reports its count this often (messages) */

struct coord;
struct alox_actor sink {
    int64_t count, sum, expect, work;
    struct coord *peer_coord; /* the sender's coordinator (remote) */
    struct coord *local;
};
struct alox_actor sender { int64_t next, end; struct sink *to; };
struct alox_actor coord {
    bool local_done, remote_done;
    int64_t remote_count, max_unconfirmed, finished_ns;
};

static _Atomic int64_t sent;          /* by every sender of this process */
static _Atomic int64_t dead_letters;
static int64_t started_ns;

static void count_dead(const alox_dead_letter *letter) {
    (void)letter;
    dead_letters++;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A field of /proc/self/status in KiB ("VmHWM:", "VmRSS:"), or -1. */
static long status_kib(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0)
            kib = atol(line + n);
    if (f)
        fclose(f);
    return kib;
}

alox_behave void progress(struct coord *self, int64_t count);
alox_behave void finished(struct coord *self, int64_t count, int64_t sum);
alox_behave void local_finished(struct coord *self);

static void maybe_end(struct coord *self) {
    if (self->local_done && self->remote_done)
        alox_exit(0);
}

alox_behave void progress(struct coord *self, int64_t count) {
    self->remote_count = count;
    int64_t unconfirmed = atomic_load_explicit(&sent, memory_order_relaxed) - count;
    if (unconfirmed > self->max_unconfirmed)
        self->max_unconfirmed = unconfirmed;
}

alox_behave void finished(struct coord *self, int64_t count, int64_t sum) {
    (void)sum;
    progress(self, count);
    self->remote_count = count;
    self->finished_ns = now_ns();
    self->remote_done = true;
    maybe_end(self);
}

alox_behave void local_finished(struct coord *self) {
    self->local_done = true;
    maybe_end(self);
}

alox_behave void eat(struct sink *self, int64_t value) {
    self->count++;
    self->sum += value;
    for (volatile int64_t i = 0; i < self->work; i++) {
    }
    if (self->count % PROGRESS_EVERY == 0 && self->count < self->expect)
        progress(self->peer_coord, self->count);
    if (self->count == self->expect) {
        finished(self->peer_coord, self->count, self->sum);
        local_finished(self->local);
    }
}

alox_behave void more(struct sender *self) {
    int64_t end = self->next + CHUNK < self->end ? self->next + CHUNK : self->end;
    for (int64_t v = self->next; v < end; v++)
        eat(self->to, v);
    atomic_fetch_add_explicit(&sent, end - self->next, memory_order_relaxed);
    self->next = end;
    if (self->next < self->end)
        more(self);
}

static int flood(char **a) {
    const char *node = a[0], *peer = a[1];
    int64_t send = atoll(a[2]), receive = atoll(a[3]);
    int64_t max_unconfirmed = atoll(a[5]), max_growth_mb = atoll(a[6]);
    alox_on_dead_letter(count_dead);
    struct coord *me = alox_new(struct coord);
    struct sink *s = alox_new(struct sink);
    s->expect = receive;
    s->work = atoll(a[4]);
    s->local = me;
    me->local_done = receive == 0;
    me->remote_done = send == 0;
    if (alox_publish(s, "sink") || alox_publish(me, "coord"))
        return 1;
    s->peer_coord = alox_lookup(struct coord, peer, "coord", LOOKUP_TIMEOUT_MS);
    struct sink *to = send ? alox_lookup(struct sink, peer, "sink", LOOKUP_TIMEOUT_MS) : NULL;
    if (!s->peer_coord || (send && !to)) {
        printf("FAIL: %s: the lookups at %s timed out\n", node, peer);
        return 1;
    }
    long base_kib = status_kib("VmRSS:");
    started_ns = now_ns();
    for (int i = 0; i < SENDERS && send; i++) {
        struct sender *x = alox_new(struct sender);
        x->to = to;
        x->next = send * i / SENDERS;
        x->end = send * (i + 1) / SENDERS;
        more(x);
    }
    int code = alox_run();
    long peak_kib = status_kib("VmHWM:");
    double seconds = (double)((me->finished_ns ? me->finished_ns : now_ns()) - started_ns) / 1e9;
    double growth_mb = (double)(peak_kib - base_kib) / 1024.0;
    bool counted = s->count == receive && s->sum == receive * (receive - 1) / 2;
    bool ok = code == 0 && counted && dead_letters == 0 && (!send || me->remote_count == send) &&
              (max_unconfirmed == 0 || me->max_unconfirmed <= max_unconfirmed) &&
              (max_growth_mb == 0 || growth_mb <= (double)max_growth_mb);
    printf("%s %s: received %lld of %lld (sum %s); sent %lld, counted there %lld, in %.2f s (%.0f "
           "msg/s); max unconfirmed %lld (at most %lld); peak rss %.1f MB, growth %.1f MB (at most "
           "%lld); dead letters %lld\n",
           ok ? "ok:" : "FAIL:", node, (long long)s->count, (long long)receive, counted ? "right" : "WRONG",
           (long long)send, (long long)me->remote_count, seconds, seconds > 0 ? (double)send / seconds : 0.0,
           (long long)me->max_unconfirmed, (long long)max_unconfirmed, (double)peak_kib / 1024.0, growth_mb,
           (long long)max_growth_mb, (long long)dead_letters);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 9 && !strcmp(argv[1], "flood"))
        return flood(argv + 2);
    fprintf(stderr, "usage: dist_credit [--alox-* flags] flood NODE PEER SEND RECEIVE WORK "
                    "MAX_UNCONFIRMED MAX_GROWTH_MB\n");
    return 2;
}
