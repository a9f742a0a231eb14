/*
 * Savina (b) counting, plain-C baseline (see mini.h).  counting [messages]
 * One thread cannot run the counter while the producer's loop runs, so the
 * producer sends in slices of 64 and sends itself the rest, which ends its
 * turn: the counter consumes as it goes and messages are recycled warm, as
 * they are when producer and counter run side by side (one extra message
 * per 64).
 */
#include "mini.h"

typedef struct counter { mini_actor base; int64_t count, sum; } counter;
typedef struct producer { mini_actor base; } producer;

static void add(mini_actor *self, const mini_msg *m) {
    counter *c = (counter *)self;
    c->count++;
    c->sum += m->a;
}

#define SLICE 64

static void produce(mini_actor *self, const mini_msg *m) {
    int64_t from = m->b, to = m->a < from + SLICE ? m->a : from + SLICE;
    for (int64_t i = from; i < to; i++)
        mini_send(m->ref, add, i, 0, NULL);
    if (to < m->a)
        mini_send(self, produce, m->a, to, m->ref);
}

int main(int argc, char **argv) {
    int64_t n = savina_arg(argc, argv, 1, 10000000);
    counter *c = mini_spawn(sizeof(counter));
    producer *p = mini_spawn(sizeof(producer));
    int64_t t0 = savina_now_ns();
    mini_send(&p->base, produce, n, 0, &c->base);
    mini_run();
    int64_t t1 = savina_now_ns();
    if (c->count != n || c->sum != n * (n - 1) / 2)
        savina_fail("counting", "counted %lld of %lld", (long long)c->count, (long long)n);
    savina_report("counting", "baseline", 1, n, t1 - t0);
    return 0;
}
