/*
 * Savina (f) skynet, Alox: an actor spawns 10 children, each of which
 * spawns 10 more, down to `leaves` leaves; a leaf sends its number to its
 * parent, every inner actor sends the sum of its 10 answers up. The root
 * gets 0 + 1 + ... + (leaves - 1). Units: actors (1,111,111 for 1M leaves).
 *     skynet [leaves=1000000]      (a power of 10)
 */
#include <alox.h>

#include "../common/savina.h"

struct alox_actor sky_node { struct sky_node *parent; int64_t sum; int32_t got; };

static int64_t final_sum = -1; /* written by the root, read after alox_run */

alox_behave void sky_result(struct sky_node *self, int64_t value) {
    self->sum += value;
    if (++self->got < 10)
        return;
    if (self->parent)
        sky_result(self->parent, self->sum);
    else
        final_sum = self->sum;
    alox_stop(self); /* done: its memory goes back (CAF and Erlang end theirs too) */
}

alox_behave void sky_start(struct sky_node *self, int64_t num, int64_t size, struct sky_node *parent) {
    self->parent = parent;
    if (size == 1) {
        if (parent)
            sky_result(parent, num);
        else
            final_sum = num;
        alox_stop(self);
        return;
    }
    int64_t child = size / 10;
    for (int64_t i = 0; i < 10; i++)
        sky_start(alox_new(struct sky_node), num + i * child, child, self);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t leaves = savina_arg(argc, argv, 1, 1000000);
    if (!savina_is_power_of_10(leaves))
        savina_fail("skynet", "leaves must be a power of 10, not %lld", (long long)leaves);
    int64_t t0 = savina_now_ns();
    sky_start(alox_new(struct sky_node), 0, leaves, NULL);
    if (alox_run() != 0)
        savina_fail("skynet", "alox_run failed");
    int64_t t1 = savina_now_ns();
    if (final_sum != leaves * (leaves - 1) / 2)
        savina_fail("skynet", "sum %lld (want %lld)", (long long)final_sum,
                    (long long)(leaves * (leaves - 1) / 2));
    savina_report("skynet", "alox", alox_threads(), savina_skynet_actors(leaves), t1 - t0);
    return 0;
}
