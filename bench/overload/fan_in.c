/*
 * Fan-in: S senders (default 10,000) each send M messages (default 1,000),
 * one per behaviour, to one receiver that is slower than all of them.
 *     fan_in [senders=10000] [messages=1000] [work=40]
 * Prints: FANIN senders=… messages=… ns=… ns_per_msg=… max_backlog=…
 */
#include <alox.h>
#include <stdatomic.h>
#include <stdio.h>

#include "../savina/common/savina.h"

struct alox_actor sink { int64_t count, work, max_backlog; };
struct alox_actor sender { int64_t left; struct sink *to; };

static _Atomic int64_t produced;

alox_behave void hit(struct sink *self, int64_t from) {
    (void)from;
    self->count++;
    for (volatile int64_t i = 0; i < self->work; i++) {
    }
    if ((self->count & 1023) == 0) {
        int64_t backlog = atomic_load_explicit(&produced, memory_order_relaxed) - self->count;
        if (backlog > self->max_backlog)
            self->max_backlog = backlog;
    }
}

alox_behave void go(struct sender *self) {
    atomic_fetch_add_explicit(&produced, 1, memory_order_relaxed);
    hit(self->to, self->left);
    if (--self->left > 0)
        go(self);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t senders = savina_arg(argc, argv, 1, 10000);
    int64_t per = savina_arg(argc, argv, 2, 1000);
    struct sink *s = alox_new(struct sink);
    s->work = savina_arg(argc, argv, 3, 40);
    int64_t t0 = savina_now_ns();
    for (int64_t i = 0; i < senders; i++) {
        struct sender *x = alox_new(struct sender);
        x->left = per;
        x->to = s;
        go(x);
    }
    if (alox_run() != 0)
        savina_fail("fan_in", "alox_run failed");
    int64_t t1 = savina_now_ns();
    if (s->count != senders * per)
        savina_fail("fan_in", "received %lld of %lld", (long long)s->count, (long long)(senders * per));
    printf("FANIN senders=%lld messages=%lld ns=%lld ns_per_msg=%.1f max_backlog=%lld\n",
           (long long)senders, (long long)(senders * per), (long long)(t1 - t0),
           (double)(t1 - t0) / (double)(senders * per), (long long)s->max_backlog);
    return 0;
}
