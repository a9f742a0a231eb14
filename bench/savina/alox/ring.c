/*
 * Savina (c) thread ring, Alox: A actors in a ring pass a token H times;
 * the actor that receives it with nothing left notes its index.
 *     ring [hops=10000000] [actors=100]
 */
#include <alox.h>
#include <stdatomic.h>

#include "../common/savina.h"

struct alox_actor ring_node { struct ring_node *next; int64_t hits; int32_t index; };

static int32_t final_index = -1; /* written by the last actor, read after alox_run */
static _Atomic int64_t all_hits;
static int64_t ring_size;  /* each actor adds its own as it stops */

/* The token has made its hops: every actor stops, one after the other,
 * as the CAF and Erlang versions end theirs. */
alox_behave void ring_stop(struct ring_node *self, int64_t left) {
    all_hits += self->hits;
    if (left > 1)
        ring_stop(self->next, left - 1);
    alox_stop(self);
}

alox_behave void token(struct ring_node *self, int64_t left) {
    self->hits++;
    if (left > 0)
        token(self->next, left - 1);
    else {
        final_index = self->index;
        ring_stop(self, ring_size);
    }
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t hops = savina_arg(argc, argv, 1, 10000000);
    int64_t actors = savina_arg(argc, argv, 2, 100);
    ring_size = actors;
    struct ring_node **ring = malloc(sizeof *ring * (size_t)actors);
    if (!ring)
        savina_fail("ring", "out of memory");
    for (int64_t i = 0; i < actors; i++) {
        ring[i] = alox_new(struct ring_node);
        ring[i]->index = (int32_t)i;
    }
    for (int64_t i = 0; i < actors; i++) /* before alox_run: nothing runs yet */
        ring[i]->next = ring[(i + 1) % actors];
    int64_t t0 = savina_now_ns();
    token(ring[0], hops);
    if (alox_run() != 0)
        savina_fail("ring", "alox_run failed");
    int64_t t1 = savina_now_ns();
    int64_t hits = all_hits;
    if (final_index != hops % actors || hits != hops + 1)
        savina_fail("ring", "ended at actor %d (want %lld) after %lld tokens (want %lld)", final_index,
                    (long long)(hops % actors), (long long)hits, (long long)(hops + 1));
    savina_report("ring", "alox", alox_threads(), hops, t1 - t0);
    free(ring);
    return 0;
}
