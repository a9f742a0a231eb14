/* injectq.c - see injectq.h. */
#include "injectq.h"

#include <stddef.h>

#include "actor.h"

void injectq_push(injectq *q, actor *a) {
    a->next_runnable = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->last)
        q->last->next_runnable = a;
    else
        q->first = a;
    q->last = a;
    /* seq_cst: an idle worker's Dekker check (scheduler.c) reads size after
     * announcing itself idle; this write and its read must not both miss. */
    atomic_fetch_add(&q->size, 1);
    pthread_mutex_unlock(&q->lock);
}

void injectq_push_many(injectq *q, actor **actors, uint32_t n) {
    if (n == 0)
        return;
    /* Link them before taking the lock: it is held for a few stores. */
    for (uint32_t i = 0; i + 1 < n; i++)
        actors[i]->next_runnable = actors[i + 1];
    actors[n - 1]->next_runnable = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->last)
        q->last->next_runnable = actors[0];
    else
        q->first = actors[0];
    q->last = actors[n - 1];
    atomic_fetch_add(&q->size, n); /* seq_cst, as in injectq_push */
    pthread_mutex_unlock(&q->lock);
}

uint32_t injectq_pop(injectq *q, actor **out, uint32_t max) {
    if (atomic_load_explicit(&q->size, memory_order_relaxed) == 0)
        return 0; /* a stale zero only delays: the pusher wakes a worker */
    uint32_t n = 0;
    pthread_mutex_lock(&q->lock);
    while (n < max && q->first) {
        actor *a = q->first;
        q->first = a->next_runnable;
        out[n++] = a;
    }
    if (!q->first)
        q->last = NULL;
    atomic_fetch_sub(&q->size, n);
    pthread_mutex_unlock(&q->lock);
    return n;
}

uint32_t injectq_size(injectq *q) { return atomic_load(&q->size); }
