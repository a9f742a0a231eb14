/*
 * pool.h - the C limit of the parallel workloads: a plain pthread pool with
 * a lock-free queue, and the message pattern of the actor programs on top
 * of it, with nothing else. Each actor has the multi-producer mailbox of
 * baseline/mini.h (Vyukov's intrusive queue with an "empty and idle" mark);
 * a send that finds the mailbox idle pushes the actor on one shared run
 * queue, a bounded lock-free multi-producer multi-consumer array (Vyukov's
 * bounded MPMC queue); N threads take an actor, run up to POOL_BATCH of its
 * messages, and put it back if more came. An idle thread spins, then
 * yields; it never sleeps in the kernel (no parking, no wake-ups), and the
 * run ends when no message is left anywhere (a counter, below).
 *
 * What it leaves out and Alox pays for: per-worker queues and stealing,
 * parking idle workers, timers, I/O, remote sends, dead letters, counters.
 * Thread-safety: pool_send from any pool thread or, before pool_run, from
 * main; an actor's own fields only from its behaviours (one thread at a
 * time: an actor is on the run queue at most once).
 * Threads: SAVINA_THREADS, default the CPUs online.
 */
#ifndef SAVINA_POOL_H
#define SAVINA_POOL_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "../common/savina.h"

/* Run-queue slots: more than the actors runnable at once in any workload
 * (trapezoid's 4000 pieces); a full queue is a failure, not a wait. */
#define POOL_QUEUE_SLOTS (1u << 18)
/* Messages of one actor per turn, as mini.h and Alox's default batch. */
#define POOL_BATCH 100
/* Empty polls of the run queue before a thread yields its core. */
#define POOL_SPINS 64
#define POOL_MAX_THREADS 256

typedef struct pool_node {
    _Atomic(struct pool_node *) next;
} pool_node;

typedef struct pool_actor pool_actor;
typedef struct pool_msg pool_msg;
typedef void (*pool_fn)(pool_actor *self, const pool_msg *m);

struct pool_msg {
    pool_node node; /* first: the mailbox links messages by it */
    pool_fn fn;
    int64_t a, b;
    double d;
    pool_actor *ref;
};

struct pool_actor {
    _Atomic(uintptr_t) head; /* last pushed node; bit 0 = empty and idle */
    pool_node *tail;         /* consumer side: only the thread running the actor */
    pool_node stub;
};

#define POOL_IDLE ((uintptr_t)1)

typedef struct pool_slot {
    _Atomic size_t seq;
    pool_actor *actor;
} pool_slot;

static pool_slot *pool_slots;
static _Alignas(64) _Atomic size_t pool_enqueue_pos;
static _Alignas(64) _Atomic size_t pool_dequeue_pos;
/* Messages not yet processed, plus the credits the threads hold (below):
 * never less than the messages in flight, so 0 means none is left. */
static _Alignas(64) _Atomic int64_t pool_pending;
static _Alignas(64) int pool_threads;
/* A thread's credit: messages it processed and has not subtracted from
 * pool_pending yet; its sends spend it first (no shared write), and it
 * pays the rest back when it finds the queue empty. */
static _Thread_local int64_t pool_credit;
static _Thread_local pool_msg *pool_free_list; /* this thread's spare messages */

static void pool_push_runnable(pool_actor *a) {
    size_t pos = atomic_load_explicit(&pool_enqueue_pos, memory_order_relaxed);
    pool_slot *slot;
    for (;;) {
        slot = &pool_slots[pos & (POOL_QUEUE_SLOTS - 1)];
        /* acquire: the slot's previous reader is done with it */
        size_t seq = atomic_load_explicit(&slot->seq, memory_order_acquire);
        intptr_t diff = (intptr_t)seq - (intptr_t)pos;
        if (diff == 0) {
            /* relaxed: the slot's seq (release, below) publishes the actor */
            if (atomic_compare_exchange_weak_explicit(&pool_enqueue_pos, &pos, pos + 1,
                                                      memory_order_relaxed, memory_order_relaxed))
                break;
        } else if (diff < 0) {
            savina_fail("pool", "run queue full (%u slots)", POOL_QUEUE_SLOTS);
        } else {
            pos = atomic_load_explicit(&pool_enqueue_pos, memory_order_relaxed);
        }
    }
    slot->actor = a;
    atomic_store_explicit(&slot->seq, pos + 1, memory_order_release);
}

static pool_actor *pool_pop_runnable(void) {
    size_t pos = atomic_load_explicit(&pool_dequeue_pos, memory_order_relaxed);
    pool_slot *slot;
    for (;;) {
        slot = &pool_slots[pos & (POOL_QUEUE_SLOTS - 1)];
        /* acquire: pairs with the writer's release, the actor is visible */
        size_t seq = atomic_load_explicit(&slot->seq, memory_order_acquire);
        intptr_t diff = (intptr_t)seq - (intptr_t)(pos + 1);
        if (diff == 0) {
            if (atomic_compare_exchange_weak_explicit(&pool_dequeue_pos, &pos, pos + 1,
                                                      memory_order_relaxed, memory_order_relaxed))
                break;
        } else if (diff < 0) {
            return NULL;
        } else {
            pos = atomic_load_explicit(&pool_dequeue_pos, memory_order_relaxed);
        }
    }
    pool_actor *a = slot->actor;
    /* release: our read of the slot is done before a writer reuses it */
    atomic_store_explicit(&slot->seq, pos + POOL_QUEUE_SLOTS, memory_order_release);
    return a;
}

static void pool_init(void) {
    const char *env = getenv("SAVINA_THREADS");
    pool_threads = env ? atoi(env) : 0;
    if (pool_threads <= 0)
        pool_threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (pool_threads <= 0)
        pool_threads = 1;
    if (pool_threads > POOL_MAX_THREADS)
        pool_threads = POOL_MAX_THREADS;
    pool_slots = malloc(sizeof *pool_slots * POOL_QUEUE_SLOTS);
    if (!pool_slots)
        savina_fail("pool", "out of memory");
    for (size_t i = 0; i < POOL_QUEUE_SLOTS; i++)
        atomic_init(&pool_slots[i].seq, i);
}

/* An actor: `size` bytes (zeroed) whose first member is a pool_actor. */
static void *pool_spawn(size_t size) {
    pool_actor *a = calloc(1, size);
    if (!a)
        savina_fail("pool", "out of memory");
    atomic_init(&a->stub.next, NULL);
    a->tail = &a->stub;
    atomic_init(&a->head, (uintptr_t)&a->stub | POOL_IDLE);
    return a;
}

static inline pool_msg *pool_alloc(void) {
    pool_msg *m = pool_free_list;
    if (m) {
        pool_free_list = (pool_msg *)atomic_load_explicit(&m->node.next, memory_order_relaxed);
        return m;
    }
    m = malloc(sizeof *m);
    if (!m)
        savina_fail("pool", "out of memory");
    return m;
}

static inline void pool_release(pool_node *n) {
    pool_msg *m = (pool_msg *)n;
    atomic_store_explicit(&m->node.next, (pool_node *)pool_free_list, memory_order_relaxed);
    pool_free_list = m;
}

static inline void pool_send(pool_actor *to, pool_fn fn, int64_t a, int64_t b, double d, pool_actor *ref) {
    if (pool_credit > 0)
        pool_credit--;
    else /* relaxed: the sender's own message is still counted, pending stays above 0 */
        atomic_fetch_add_explicit(&pool_pending, 1, memory_order_relaxed);
    pool_msg *m = pool_alloc();
    m->fn = fn;
    m->a = a;
    m->b = b;
    m->d = d;
    m->ref = ref;
    atomic_store_explicit(&m->node.next, NULL, memory_order_relaxed);
    /* acq_rel: publishes the message to the consumer; orders after the last push */
    uintptr_t prev = atomic_exchange_explicit(&to->head, (uintptr_t)&m->node, memory_order_acq_rel);
    pool_node *prev_node = (pool_node *)(prev & ~POOL_IDLE);
    atomic_store_explicit(&prev_node->next, &m->node, memory_order_release);
    if (prev & POOL_IDLE)
        pool_push_runnable(to);
}

/* One turn of an actor: up to POOL_BATCH messages; back on the queue
 * unless its mailbox was empty and could be marked idle. */
static void pool_turn(pool_actor *a) {
    for (int handled = 0; handled < POOL_BATCH; handled++) {
        pool_node *tail = a->tail;
        pool_node *next = atomic_load_explicit(&tail->next, memory_order_acquire);
        if (!next) {
            uintptr_t expected = (uintptr_t)tail;
            atomic_store_explicit(&a->stub.next, NULL, memory_order_relaxed);
            a->tail = &a->stub;
            /* release: our writes to the actor are visible to whoever runs it next */
            if (atomic_compare_exchange_strong_explicit(&a->head, &expected,
                                                        (uintptr_t)&a->stub | POOL_IDLE,
                                                        memory_order_acq_rel, memory_order_relaxed)) {
                if (tail != &a->stub)
                    pool_release(tail);
                return;
            }
            a->tail = tail; /* a push is under way: run again later */
            break;
        }
        a->tail = next;
        if (tail != &a->stub)
            pool_release(tail);
        const pool_msg *m = (const pool_msg *)next;
        m->fn(a, m);
        pool_credit++;
    }
    pool_push_runnable(a);
}

static void *pool_thread(void *unused) {
    (void)unused;
    int idle = 0;
    for (;;) {
        pool_actor *a = pool_pop_runnable();
        if (a) {
            idle = 0;
            pool_turn(a);
            continue;
        }
        if (pool_credit) { /* acq_rel: our behaviours' writes precede the count reaching 0 */
            atomic_fetch_sub_explicit(&pool_pending, pool_credit, memory_order_acq_rel);
            pool_credit = 0;
        }
        if (atomic_load_explicit(&pool_pending, memory_order_acquire) == 0)
            return NULL;
        if (++idle >= POOL_SPINS) {
            idle = 0;
            sched_yield();
        }
    }
}

/* Runs until no message is left; returns the number of threads. */
static int pool_run(void) {
    pthread_t threads[POOL_MAX_THREADS];
    for (int i = 0; i < pool_threads; i++)
        if (pthread_create(&threads[i], NULL, pool_thread, NULL) != 0)
            savina_fail("pool", "cannot start thread %d", i);
    for (int i = 0; i < pool_threads; i++)
        pthread_join(threads[i], NULL);
    return pool_threads;
}

#endif
