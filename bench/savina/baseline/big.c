/* Savina (e) big, plain-C baseline (see mini.h).  big [pings] [actors] */
#include "mini.h"

typedef struct sink { mini_actor base; int64_t reports, pongs, bad; } sink;
typedef struct bworker {
    mini_actor base;
    uint64_t rng;
    int64_t left, expected, pongs, pings, bad, index;
    sink *sink;
} bworker;

static bworker **peers;
static int64_t npeers;

static void pong(mini_actor *self, const mini_msg *m);

static void ping(mini_actor *self, const mini_msg *m) {
    ((bworker *)self)->pings++;
    mini_send(m->ref, pong, m->a, 0, NULL);
}

static void send_next(bworker *w) {
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    int64_t peer = (int64_t)(w->rng % (uint64_t)(npeers - 1));
    if (peer >= w->index)
        peer++;
    w->left--;
    w->expected = w->index << 32 | w->left;
    mini_send(&peers[peer]->base, ping, w->expected, 0, &w->base);
}

static void done(mini_actor *self, const mini_msg *m) {
    sink *s = (sink *)self;
    s->reports++;
    s->pongs += m->a;
    s->bad += m->b;
}

static void pong(mini_actor *self, const mini_msg *m) {
    bworker *w = (bworker *)self;
    w->pongs++;
    if (m->a != w->expected)
        w->bad++;
    if (w->left > 0)
        send_next(w);
    else
        mini_send(&w->sink->base, done, w->pongs, w->bad, NULL);
}

static void start(mini_actor *self, const mini_msg *m) {
    bworker *w = (bworker *)self;
    w->left = m->a;
    w->sink = (sink *)m->ref;
    w->rng = 0x9e3779b97f4a7c15ull * (uint64_t)(w->index + 1);
    send_next(w);
}

int main(int argc, char **argv) {
    int64_t pings = savina_arg(argc, argv, 1, 1000);
    int64_t actors = savina_arg(argc, argv, 2, 1000);
    if (actors < 2)
        savina_fail("big", "needs at least 2 actors");
    npeers = actors;
    peers = malloc(sizeof *peers * (size_t)actors);
    if (!peers)
        savina_fail("big", "out of memory");
    for (int64_t i = 0; i < actors; i++) {
        peers[i] = mini_spawn(sizeof(bworker));
        peers[i]->index = i;
    }
    sink *s = mini_spawn(sizeof(sink));
    int64_t t0 = savina_now_ns();
    for (int64_t i = 0; i < actors; i++)
        mini_send(&peers[i]->base, start, pings, 0, &s->base);
    mini_run();
    int64_t t1 = savina_now_ns();
    int64_t received = 0;
    for (int64_t i = 0; i < actors; i++)
        received += peers[i]->pings;
    if (s->reports != actors || s->pongs != actors * pings || s->bad || received != actors * pings)
        savina_fail("big", "%lld reports, %lld pongs, %lld pings, %lld bad", (long long)s->reports,
                    (long long)s->pongs, (long long)received, (long long)s->bad);
    savina_report("big", "baseline", 1, 2 * actors * pings, t1 - t0);
    free(peers);
    return 0;
}
