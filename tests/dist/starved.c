/*
 * starved.c - a live peer behind a starved mailman is not lost, a dead
 * one still is (issue 13, runtime/net/evidence.h). run.sh case "starved":
 *
 *   dist_starved [--alox-* flags] judge N PAUSE_MS   publishes "sink"; from
 *       the first blob on, its mailman sleeps PAUSE_MS a turn (reads 16
 *       frames a socket a turn) until all N arrived; it tells the sender
 *       its count every PROGRESS_EVERY, so it has items in flight to it
 *       whose acknowledgements queue behind the sender's frames
 *   dist_starved [...] flood N    sends N blobs of ~1 KiB to judge's sink
 *       (~60 a frame: hundreds of frames wait at the judge)
 *   dist_starved [...] victim     in session with judge, serving until
 *       killed (kill -9 while the judge is behind)
 *
 * Before evidence.h the judge lost the live flooder "it stopped
 * acknowledging" (its acknowledgements were unread); with the verdict
 * held only while its ROUTER was behind (4c69aa3) it did not lose the
 * dead victim until the whole flood was read.
 */
#include <alox.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/evidence.h"

#define LOOKUP_TIMEOUT_MS 20000
#define PROGRESS_EVERY 1000 /* blobs between two reports to the sender */
#define BLOB_BYTES 1000     /* of padding: ~60 blobs fill a 64 KiB frame */

struct payload { int64_t seq; char pad[BLOB_BYTES]; };
struct alox_actor tally { int64_t reports, last; };
struct alox_actor sink { int64_t count, sum, expect; int pause_ms; double first_ms; };

static _Atomic int64_t dead_letters;

static void count_dead(const alox_dead_letter *letter) {
    (void)letter;
    dead_letters++;
}

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

alox_behave void report(struct tally *self, int64_t count) {
    self->reports++;
    self->last = count;
}

alox_behave void blob(struct sink *self, struct payload p, struct tally *from) {
    if (self->count++ == 0) {
        transport_test_pause(self->pause_ms); /* starved from now on */
        self->first_ms = mono_ms();
    }
    self->sum += p.seq;
    if (self->count % PROGRESS_EVERY == 0)
        report(from, self->count);
    if (self->count == self->expect) {
        transport_test_pause(0);
        bool right = self->sum == self->expect * (self->expect - 1) / 2;
        printf("judge: received %lld of %lld (sum %s) in %.0f ms\n", (long long)self->count,
               (long long)self->expect, right ? "right" : "WRONG", mono_ms() - self->first_ms);
        fflush(stdout);
    }
}

static int role_judge(int64_t n, int pause_ms) {
    struct sink *s = alox_new(struct sink);
    s->expect = n;
    s->pause_ms = pause_ms;
    if (alox_publish(s, "sink"))
        return 1;
    printf("judge: ready\n");
    fflush(stdout);
    return alox_run(); /* it listens: it serves until SIGTERM */
}

static struct sink *find_sink(void) {
    struct sink *s = alox_lookup(struct sink, "judge", "sink", LOOKUP_TIMEOUT_MS);
    if (!s)
        printf("FAIL: the lookup of judge's sink timed out\n");
    return s;
}

static int role_flood(int64_t n) {
    alox_on_dead_letter(count_dead);
    struct sink *s = find_sink();
    if (!s)
        return 1;
    struct tally *me = alox_new(struct tally);
    struct payload p;
    memset(&p, 'x', sizeof p);
    for (int64_t i = 0; i < n; i++) {
        p.seq = i;
        blob(s, p, me);
    }
    printf("flooding\n");
    fflush(stdout);
    int code = alox_run();
    bool ok = code == 0 && dead_letters == 0 && me->reports == n / PROGRESS_EVERY;
    printf("%s flood: run returned %d; %lld sent, %lld reports (last %lld), %lld dead letters\n",
           ok ? "ok:" : "FAIL:", code, (long long)n, (long long)me->reports, (long long)me->last,
           (long long)dead_letters);
    return ok ? 0 : 1;
}

static int role_victim(void) {
    if (!find_sink())
        return 1;
    printf("victim: ready\n");
    fflush(stdout);
    return alox_run(); /* it listens: it serves until killed */
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 4 && !strcmp(argv[1], "judge"))
        return role_judge(atoll(argv[2]), atoi(argv[3]));
    if (argc == 3 && !strcmp(argv[1], "flood"))
        return role_flood(atoll(argv[2]));
    if (argc == 2 && !strcmp(argv[1], "victim"))
        return role_victim();
    fprintf(stderr, "usage: dist_starved [--alox-* flags] judge N PAUSE_MS | flood N | victim\n");
    return 2;
}
