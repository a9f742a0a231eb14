/* runqueue.c - see runqueue.h. */
#include "runqueue.h"

#include <stddef.h>

void runqueue_init(runqueue *q) {
    atomic_init(&q->head, 0);
    atomic_init(&q->tail, 0);
    for (uint32_t i = 0; i < RUNQUEUE_SIZE; i++)
        atomic_init(&q->slots[i], NULL);
}

uint32_t runqueue_pop_many(runqueue *q, struct actor **out, uint32_t max) {
    for (;;) {
        /* Acquire: pairs with thieves' release CAS, as in runqueue_pop. */
        uint32_t head = atomic_load_explicit(&q->head, memory_order_acquire);
        uint32_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed); /* ours */
        uint32_t n = tail - head;
        if (n > max)
            n = max;
        if (n == 0)
            return 0;
        for (uint32_t i = 0; i < n; i++)
            out[i] = atomic_load_explicit(&q->slots[(head + i) % RUNQUEUE_SIZE], memory_order_relaxed);
        /* Release: a thief that later reads head sees our claim. */
        if (atomic_compare_exchange_weak_explicit(&q->head, &head, head + n, memory_order_release,
                                                  memory_order_relaxed))
            return n;
    }
}

uint32_t runqueue_steal(runqueue *q, struct actor **out, uint32_t max) {
    for (;;) {
        uint32_t head = atomic_load_explicit(&q->head, memory_order_acquire);
        /* Acquire: pairs with the owner's release store of tail, so the
         * slots below tail are visible. */
        uint32_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
        uint32_t n = tail - head;
        n -= n / 2;
        if (n == 0)
            return 0;
        if (n > RUNQUEUE_SIZE / 2)
            continue; /* head and tail read at different times: read again */
        if (n > max)
            n = max;
        for (uint32_t i = 0; i < n; i++)
            out[i] = atomic_load_explicit(&q->slots[(head + i) % RUNQUEUE_SIZE], memory_order_relaxed);
        /* Release: pairs with the owner's acquire load of head in push, so
         * our slot reads happen before the owner overwrites them. */
        if (atomic_compare_exchange_weak_explicit(&q->head, &head, head + n, memory_order_release,
                                                  memory_order_relaxed))
            return n;
    }
}
