/* Savina (c) thread ring, plain-C baseline (see mini.h).  ring [hops] [actors] */
#include "mini.h"

typedef struct ring_node { mini_actor base; struct ring_node *next; int64_t hits; int64_t index; } ring_node;

static int64_t final_index = -1;

static void token(mini_actor *self, const mini_msg *m) {
    ring_node *r = (ring_node *)self;
    r->hits++;
    if (m->a > 0)
        mini_send(&r->next->base, token, m->a - 1, 0, NULL);
    else
        final_index = r->index;
}

int main(int argc, char **argv) {
    int64_t hops = savina_arg(argc, argv, 1, 10000000);
    int64_t actors = savina_arg(argc, argv, 2, 100);
    ring_node **ring = malloc(sizeof *ring * (size_t)actors);
    if (!ring)
        savina_fail("ring", "out of memory");
    for (int64_t i = 0; i < actors; i++) {
        ring[i] = mini_spawn(sizeof(ring_node));
        ring[i]->index = i;
    }
    for (int64_t i = 0; i < actors; i++)
        ring[i]->next = ring[(i + 1) % actors];
    int64_t t0 = savina_now_ns();
    mini_send(&ring[0]->base, token, hops, 0, NULL);
    mini_run();
    int64_t t1 = savina_now_ns();
    int64_t hits = 0;
    for (int64_t i = 0; i < actors; i++)
        hits += ring[i]->hits;
    if (final_index != hops % actors || hits != hops + 1)
        savina_fail("ring", "ended at %lld after %lld tokens", (long long)final_index, (long long)hits);
    savina_report("ring", "baseline", 1, hops, t1 - t0);
    free(ring);
    return 0;
}
