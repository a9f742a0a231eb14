/* Savina (f) skynet, plain-C baseline (see mini.h).  skynet [leaves] (a power of 10) */
#include "mini.h"

typedef struct sky { mini_actor base; struct sky *parent; int64_t sum; int64_t got; } sky;

static int64_t final_sum = -1;

static void result(mini_actor *self, const mini_msg *m) {
    sky *s = (sky *)self;
    s->sum += m->a;
    if (++s->got < 10)
        return;
    if (s->parent)
        mini_send(&s->parent->base, result, s->sum, 0, NULL);
    else
        final_sum = s->sum;
}

static void start(mini_actor *self, const mini_msg *m) {
    sky *s = (sky *)self;
    int64_t num = m->a, size = m->b;
    s->parent = (sky *)m->ref;
    if (size == 1) {
        if (s->parent)
            mini_send(&s->parent->base, result, num, 0, NULL);
        else
            final_sum = num;
        return;
    }
    int64_t child = size / 10;
    for (int64_t i = 0; i < 10; i++)
        mini_send(mini_spawn(sizeof(sky)), start, num + i * child, child, self);
}

int main(int argc, char **argv) {
    int64_t leaves = savina_arg(argc, argv, 1, 1000000);
    if (!savina_is_power_of_10(leaves))
        savina_fail("skynet", "leaves must be a power of 10");
    int64_t t0 = savina_now_ns();
    mini_send(mini_spawn(sizeof(sky)), start, 0, leaves, NULL);
    mini_run();
    int64_t t1 = savina_now_ns();
    if (final_sum != leaves * (leaves - 1) / 2)
        savina_fail("skynet", "sum %lld (want %lld)", (long long)final_sum,
                    (long long)(leaves * (leaves - 1) / 2));
    savina_report("skynet", "baseline", 1, savina_skynet_actors(leaves), t1 - t0);
    return 0;
}
