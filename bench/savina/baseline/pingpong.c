/* Savina (a) ping-pong, plain-C baseline (see mini.h).  pingpong [round_trips] */
#include "mini.h"

typedef struct player { mini_actor base; int64_t hits; } player;

static void ping(mini_actor *self, const mini_msg *m);

static void pong(mini_actor *self, const mini_msg *m) {
    ((player *)self)->hits++;
    mini_send(m->ref, ping, m->a, 0, self);
}

static void ping(mini_actor *self, const mini_msg *m) {
    ((player *)self)->hits++;
    if (m->a > 0)
        mini_send(m->ref, pong, m->a - 1, 0, self);
}

int main(int argc, char **argv) {
    int64_t n = savina_arg(argc, argv, 1, 1000000);
    player *a = mini_spawn(sizeof(player)), *b = mini_spawn(sizeof(player));
    int64_t t0 = savina_now_ns();
    mini_send(&a->base, ping, n, 0, &b->base);
    mini_run();
    int64_t t1 = savina_now_ns();
    if (a->hits != n + 1 || b->hits != n)
        savina_fail("pingpong", "pinger got %lld, ponger %lld (want %lld, %lld)", (long long)a->hits,
                    (long long)b->hits, (long long)(n + 1), (long long)n);
    savina_report("pingpong", "baseline", 1, 2 * n, t1 - t0);
    return 0;
}
