/*
 * The flood: one producer sends N small messages (default 50,000,000) to
 * one consumer that is slower than it. Without backpressure the backlog
 * grows to tens of millions of messages (about 1 GB); with it, the
 * producer is paused after a behaviour while the consumer is behind.
 *     flood [messages=50000000] [chunk=1000] [work=40]
 * chunk: messages per producer behaviour; work: busy-loop rounds per
 * consumed message (what makes the consumer slower).
 * Prints: FLOOD messages=… ns=… ns_per_msg=… max_backlog=…
 */
#include <alox.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "../savina/common/savina.h"

struct alox_actor consumer { int64_t count, sum, work, max_backlog; };
struct alox_actor producer { int64_t sent, total, chunk; struct consumer *to; };

static _Atomic int64_t produced; /* for the backlog figure only */

alox_behave void eat(struct consumer *self, int64_t value) {
    self->count++;
    self->sum += value;
    for (volatile int64_t i = 0; i < self->work; i++) {
    }
    if ((self->count & 1023) == 0) {
        int64_t backlog = atomic_load_explicit(&produced, memory_order_relaxed) - self->count;
        if (backlog > self->max_backlog)
            self->max_backlog = backlog;
    }
}

alox_behave void more(struct producer *self) {
    int64_t end = self->sent + self->chunk < self->total ? self->sent + self->chunk : self->total;
    for (; self->sent < end; self->sent++)
        eat(self->to, self->sent);
    atomic_store_explicit(&produced, self->sent, memory_order_relaxed);
    if (self->sent < self->total)
        more(self);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t n = savina_arg(argc, argv, 1, 50000000);
    struct consumer *c = alox_new(struct consumer);
    struct producer *p = alox_new(struct producer);
    c->work = savina_arg(argc, argv, 3, 40);
    p->total = n;
    p->chunk = savina_arg(argc, argv, 2, 1000);
    p->to = c;
    int64_t t0 = savina_now_ns();
    more(p);
    if (alox_run() != 0)
        savina_fail("flood", "alox_run failed");
    int64_t t1 = savina_now_ns();
    if (c->count != n || c->sum != n * (n - 1) / 2)
        savina_fail("flood", "consumed %lld of %lld", (long long)c->count, (long long)n);
    printf("FLOOD messages=%lld ns=%lld ns_per_msg=%.1f max_backlog=%lld\n", (long long)n,
           (long long)(t1 - t0), (double)(t1 - t0) / (double)n, (long long)c->max_backlog);
    return 0;
}
