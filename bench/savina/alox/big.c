/*
 * Savina (e) big, Alox: A actors each send P pings, one at a time, to
 * random peers; a peer answers each ping with a pong echoing its token,
 * and the next ping goes out when the pong is back. When an actor has
 * its P pongs it reports to a sink. Messages: 2 * A * P.
 *     big [pings=1000] [actors=1000]
 */
#include <alox.h>
#include <stdatomic.h>

#include "../common/savina.h"

struct big_sink;
struct alox_actor big_worker {
    uint64_t rng;
    int64_t left;      /* pings still to send */
    int64_t expected;  /* token of the ping in flight */
    int64_t pongs;     /* pongs received */
    int64_t pings;     /* pings received from peers */
    int64_t bad;       /* pongs with a wrong token */
    struct big_sink *sink;
    int32_t index;
};
struct alox_actor big_sink { int64_t reports; int64_t pongs; int64_t bad; };

/* Read-only after main sets it up, before alox_run. */
static struct big_worker **peers;
static int32_t npeers;
/* Written as the actors stop (CAF and Erlang end theirs too), read after alox_run. */
static int64_t final_reports, final_pongs, final_bad;
static _Atomic int64_t final_pings;

alox_behave void big_pong(struct big_worker *self, int64_t token);

alox_behave void big_ping(struct big_worker *self, int64_t token, struct big_worker *from) {
    self->pings++;
    big_pong(from, token);
}

static void send_next(struct big_worker *self) {
    self->rng ^= self->rng << 13;
    self->rng ^= self->rng >> 7;
    self->rng ^= self->rng << 17;
    int32_t peer = (int32_t)(self->rng % (uint64_t)(npeers - 1));
    if (peer >= self->index)
        peer++; /* never itself */
    self->left--;
    self->expected = (int64_t)self->index << 32 | self->left;
    big_ping(peers[peer], self->expected, self);
}

alox_behave void big_quit(struct big_worker *self) {
    final_pings += self->pings;
    alox_stop(self);
}

alox_behave void big_done(struct big_sink *self, int64_t pongs, int64_t bad) {
    self->reports++;
    self->pongs += pongs;
    self->bad += bad;
    if (self->reports < npeers)
        return;
    final_reports = self->reports; /* every ping answered: all may stop */
    final_pongs = self->pongs;
    final_bad = self->bad;
    for (int32_t i = 0; i < npeers; i++)
        big_quit(peers[i]);
    alox_stop(self);
}

alox_behave void big_pong(struct big_worker *self, int64_t token) {
    self->pongs++;
    if (token != self->expected)
        self->bad++;
    if (self->left > 0)
        send_next(self);
    else
        big_done(self->sink, self->pongs, self->bad);
}

alox_behave void big_start(struct big_worker *self, int64_t pings, struct big_sink *sink) {
    self->left = pings;
    self->sink = sink;
    self->rng = 0x9e3779b97f4a7c15ull * (uint64_t)(self->index + 1);
    send_next(self);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t pings = savina_arg(argc, argv, 1, 1000);
    int64_t actors = savina_arg(argc, argv, 2, 1000);
    if (actors < 2)
        savina_fail("big", "needs at least 2 actors");
    npeers = (int32_t)actors;
    peers = malloc(sizeof *peers * (size_t)actors);
    if (!peers)
        savina_fail("big", "out of memory");
    for (int64_t i = 0; i < actors; i++) {
        peers[i] = alox_new(struct big_worker);
        peers[i]->index = (int32_t)i;
    }
    struct big_sink *sink = alox_new(struct big_sink);
    int64_t t0 = savina_now_ns();
    for (int64_t i = 0; i < actors; i++)
        big_start(peers[i], pings, sink);
    if (alox_run() != 0)
        savina_fail("big", "alox_run failed");
    int64_t t1 = savina_now_ns();
    int64_t received = final_pings;
    if (final_reports != actors || final_pongs != actors * pings || final_bad != 0 ||
        received != actors * pings)
        savina_fail("big", "%lld reports (want %lld), %lld pongs and %lld pings (want %lld), %lld bad",
                    (long long)final_reports, (long long)actors, (long long)final_pongs,
                    (long long)received, (long long)(actors * pings), (long long)final_bad);
    savina_report("big", "alox", alox_threads(), 2 * actors * pings, t1 - t0);
    free(peers);
    return 0;
}
