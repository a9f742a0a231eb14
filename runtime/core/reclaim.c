/* reclaim.c - retired actors, grace periods, freeing; see reclaim.h. */
#include "reclaim.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"
#include "drained.h"
#include "monitor.h"
#include "mailman.h"
#include "message.h"
#include "remote_hooks.h"
#include "support/dead_letter.h"
#include "support/grace.h"
#include "support/once_heap.h"

/* Freeing walks an array of cold actor headers: fetch this far ahead. */
#define PREFETCH_AHEAD 8u
#define FIRST_CAPACITY 256u

ALOX_TLS actor_list reclaim_pending;
ALOX_TLS uint32_t reclaim_pending_moves;
#define pending reclaim_pending
static ALOX_TLS actor_list waiting;
/* Freed pages, given back in runs (once_heap.h): kept across free_list
 * calls, flushed before the worker parks or exits. */
static ALOX_TLS once_heap_batch freed_pages;
static ALOX_TLS uint64_t waiting_target;
ALOX_TLS uint32_t reclaim_ticks;

static pthread_mutex_t orphan_lock = PTHREAD_MUTEX_INITIALIZER;
static actor_list orphans; /* under orphan_lock */
/* Relaxed: a hint, read without the lock; the list itself is under it. */
static _Atomic uint32_t orphan_count;
static _Atomic uint64_t freed;

uint64_t reclaim_freed(void) { return atomic_load_explicit(&freed, memory_order_relaxed); }

static void list_reserve(actor_list *l, uint32_t more) {
    if (l->count + more <= l->capacity)
        return;
    uint32_t capacity = l->capacity ? l->capacity : FIRST_CAPACITY;
    while (capacity < l->count + more)
        capacity *= 2;
    actor **grown = realloc(l->items, capacity * sizeof *grown);
    if (!grown)
        alox_fatal("out of memory keeping %u stopped actors for reclamation", l->count + more);
    l->items = grown;
    l->capacity = capacity;
}

static void list_append(actor_list *to, actor_list *from) {
    if (from->count == 0)
        return; /* its items may be NULL: memcpy from NULL is undefined even for 0 bytes */
    list_reserve(to, from->count);
    memcpy(to->items + to->count, from->items, from->count * sizeof *from->items);
    to->count += from->count;
    from->count = 0;
}

static void swap_lists(actor_list *a, actor_list *b) {
    actor_list t = *a;
    *a = *b;
    *b = t;
}

void reclaim_grow_pending(void) { list_reserve(&pending, 1); }

/* Every message still in the mailbox arrived after the stop: dead letters
 * (runtime messages are dropped, see mailman_send_runtime, except a
 * monitor's, which monitor_undelivered answers). */
static void drain(actor *a) {
    /* Nothing pushed after the stop (most actors): head is still the stub
     * that mailbox_close put back. Relaxed: the grace period is over, so
     * every push to a happened before (grace_done's acquire). */
    if (atomic_load_explicit(&a->box.head, memory_order_relaxed) == (uintptr_t)&a->box.stub)
        return;
    mailbox_node *cursor = mailbox_batch_begin(&a->box), *retired, *node;
    while ((node = mailbox_batch_pop(&a->box, &cursor, &retired))) {
        if (retired)
            message_free(message_of(retired));
        message *m = message_of(node);
        const alox_behaviour_desc *b = message_behaviour(m);
        if (!behaviour_is_runtime(b))
            dead_letter_report(ALOX_DEAD_STOPPED, a->id, b, message_args(m));
        else
            monitor_undelivered(a, b, message_args(m));
        if (message_is_remote(m))
            core_remote_hooks.processed((remote_message *)m);
    }
    if (cursor != &a->box.stub)
        message_free(message_of(cursor));
}

/* What a few stopped actors need before their memory goes: dead letters
 * for late pushes, and the layers that keep state for them. */
static __attribute__((noinline)) void drain_and_tell(actor *a) {
    drain(a);
    actor_drained(a);
}

/* One actor of free_list. The common actor had nothing pushed after its
 * stop and no layer keeping state: one test for both (drain's and
 * actor_drained's, same orders), then its memory goes. */
static inline void free_one(actor *a, once_heap_batch *pages) {
    if (ALOX_UNLIKELY(atomic_load_explicit(&a->box.head, memory_order_relaxed) != (uintptr_t)&a->box.stub ||
                      (atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_DRAINED_HINTS)))
        drain_and_tell(a);
    size_t size = actor_footprint(a->type);
    if (size == 0)
        __builtin_unreachable(); /* at least a header: once_heap_free's own test of 0 goes */
    once_heap_free(a, size, pages);
}

/* Nothing that freeing calls (dead letters, monitors' notices) retires
 * or frees: l does not change meanwhile, so its items and count are kept
 * in registers (GCC otherwise read them again after every call it could
 * not see into: ~6 instructions per actor). */
static void free_list(actor_list *l) {
    actor **items = l->items;
    uint32_t count = l->count, i = 0;
    once_heap_batch *pages = &freed_pages;
    for (; i + PREFETCH_AHEAD < count; i++) {
        __builtin_prefetch(items[i + PREFETCH_AHEAD], 1);
        free_one(items[i], pages);
    }
    for (; i < count; i++)
        free_one(items[i], pages);
    atomic_fetch_add_explicit(&freed, count, memory_order_relaxed);
    l->count = 0;
}

static void adopt_orphans(void) {
    if (atomic_load_explicit(&orphan_count, memory_order_relaxed) == 0)
        return;
    pthread_mutex_lock(&orphan_lock);
    list_append(&pending, &orphans);
    atomic_store_explicit(&orphan_count, 0, memory_order_relaxed);
    pthread_mutex_unlock(&orphan_lock);
}

static void poll_lists(void) {
    if (waiting.count && grace_done(waiting_target))
        free_list(&waiting);
    if (waiting.count)
        return;
    adopt_orphans();
    if (pending.count) {
        swap_lists(&waiting, &pending); /* pending is now the empty one */
        reclaim_pending_moves++;
        waiting_target = grace_start();
        grace_quiescent(); /* we are one of those who must pass */
    }
}

void reclaim_poll(void) {
    if (pending.count || waiting.count || atomic_load_explicit(&orphan_count, memory_order_relaxed))
        poll_lists();
}

static void hand_over(actor_list *l) {
    if (!l->count)
        return;
    pthread_mutex_lock(&orphan_lock);
    list_append(&orphans, l);
    atomic_store_explicit(&orphan_count, orphans.count, memory_order_relaxed);
    pthread_mutex_unlock(&orphan_lock);
}

void reclaim_thread_exit(void) {
    once_heap_flush(&freed_pages);
    if (pending.count || waiting.count)
        return; /* not handed over: keep them (never the case after reclaim_before_park) */
    free(pending.items);
    free(waiting.items);
    pending = (actor_list){0};
    waiting = (actor_list){0};
}

void reclaim_before_park(void) {
    if (!pending.count && !waiting.count && atomic_load_explicit(&orphan_count, memory_order_relaxed) == 0) {
        once_heap_flush(&freed_pages); /* a parked worker holds no freed page */
        return;
    }
    /* All of it under one new grace period: the last worker to park usually
     * finds every other offline and frees everything now, so what freeing
     * sends (a monitor's "down" for a registration that came late) runs in
     * this run, not after alox_run returned. */
    grace_quiescent();
    adopt_orphans();
    list_append(&waiting, &pending);
    reclaim_pending_moves++;
    waiting_target = grace_start();
    grace_quiescent();
    if (grace_done(waiting_target))
        free_list(&waiting);
    else
        hand_over(&waiting);
    once_heap_flush(&freed_pages);
}

void reclaim_after_run(void) {
    if (atomic_load_explicit(&orphan_count, memory_order_relaxed) == 0)
        return;
    /* The workers are joined: only threads that send from outside (timers,
     * the mailman) can still be inside a send. */
    uint64_t target = grace_start();
    if (!grace_done(target))
        return; /* one is: the next run's workers will adopt them */
    pthread_mutex_lock(&orphan_lock);
    actor_list taken = orphans;
    orphans = (actor_list){NULL, 0, 0};
    atomic_store_explicit(&orphan_count, 0, memory_order_relaxed);
    pthread_mutex_unlock(&orphan_lock);
    free_list(&taken);
    once_heap_flush(&freed_pages);
    free(taken.items);
}
