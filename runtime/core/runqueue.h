/*
 * runqueue.h - a worker's local queue of runnable actors: a bounded ring
 * that its owner uses as a FIFO and that other workers steal from (half at
 * a time), after the Go scheduler's per-P run queue.
 *
 * The owner pushes at the tail and pops at the head; thieves take from the
 * head. Owner pops and steals race on `head` with a CAS, so each actor is
 * taken exactly once. A full ring makes runqueue_push fail; the caller
 * then moves work to the injection queue.
 *
 * Thread-safety: push and pop by the owning worker only; steal and
 * runqueue_size from any thread.
 */
#ifndef ALOX_RUNQUEUE_H
#define ALOX_RUNQUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/platform.h"

#define RUNQUEUE_SIZE 256u /* actors: enough for bursts; overflow goes global */

struct actor;

typedef struct runqueue {
    _Alignas(ALOX_CACHE_LINE) _Atomic uint32_t head; /* taken by owner and thieves */
    _Atomic uint32_t tail;                            /* written by the owner only */
    _Atomic(struct actor *) slots[RUNQUEUE_SIZE];
} runqueue;

void runqueue_init(runqueue *q);

/* Owner: appends; false if the ring is full. Inline: every actor made
 * runnable passes here, often twice (fork-join: ~2 pushes per actor; a
 * call cost ~6 instructions of its ~15). */
static inline bool runqueue_push(runqueue *q, struct actor *a) {
    /* Acquire: pairs with the release CAS of thieves, so their reads of the
     * slots they took are done before we reuse those slots. */
    uint32_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    uint32_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed); /* ours */
    if (ALOX_UNLIKELY(tail - head >= RUNQUEUE_SIZE))
        return false;
    /* Relaxed store, published by the release store of tail below. */
    atomic_store_explicit(&q->slots[tail % RUNQUEUE_SIZE], a, memory_order_relaxed);
    atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
    return true;
}

/* Owner: appends the first of `n` actors that fit, in order; returns how
 * many. One load of head and one release store of tail for them all. */
static inline uint32_t runqueue_push_many(runqueue *q, struct actor *const *actors, uint32_t n) {
    /* Acquire and relaxed: as in runqueue_push. */
    uint32_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    uint32_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed); /* ours */
    uint32_t room = RUNQUEUE_SIZE - (tail - head);
    if (n > room)
        n = room;
    for (uint32_t i = 0; i < n; i++) /* relaxed: published by the store of tail */
        atomic_store_explicit(&q->slots[(tail + i) % RUNQUEUE_SIZE], actors[i], memory_order_relaxed);
    atomic_store_explicit(&q->tail, tail + n, memory_order_release);
    return n;
}

/* Owner: takes the oldest actor, or NULL. Inline, as push: a worker
 * pops about once per batch (fork-join: twice per actor). */
static inline struct actor *runqueue_pop(runqueue *q) {
    for (;;) {
        /* Acquire: pairs with thieves' release CAS, as in push. */
        uint32_t head = atomic_load_explicit(&q->head, memory_order_acquire);
        uint32_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed); /* ours */
        if (head == tail)
            return NULL;
        struct actor *a = atomic_load_explicit(&q->slots[head % RUNQUEUE_SIZE], memory_order_relaxed);
        /* Release: a thief that later reads head sees our claim. */
        if (atomic_compare_exchange_weak_explicit(&q->head, &head, head + 1, memory_order_release,
                                                  memory_order_relaxed))
            return a;
    }
}

/* Owner: takes the oldest actors, at most `max`, into out[] in one
 * claim (a full queue's overflow: one compare-and-swap for them all, not
 * one per actor); returns how many. */
uint32_t runqueue_pop_many(runqueue *q, struct actor **out, uint32_t max);

/* Thief: takes about half of q's actors (at most `max`) into out[].
 * Returns how many. */
uint32_t runqueue_steal(runqueue *q, struct actor **out, uint32_t max);

/* Any thread: a snapshot of the number of actors queued. */
static inline uint32_t runqueue_size(runqueue *q) {
    uint32_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    uint32_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    return tail - head;
}

#endif
