/*
 * mini.h - the plain-C baseline: the bare machinery a message needs and
 * nothing else, on one thread. Each actor has a lock-free multi-producer
 * mailbox (Vyukov's intrusive queue with an "empty and idle" mark, the
 * same algorithm as Alox's, with real atomic exchanges); a push that
 * finds the mailbox idle puts the actor on a FIFO of runnable actors; the
 * loop takes an actor, runs up to 100 of its messages, and moves on.
 * Messages come from a free list, actors from a bump arena.
 *
 * No second thread, no work stealing, no parking: this is the cost of the
 * message pattern itself on one core, the floor a runtime on this machine
 * can approach ("C limit" in the tables). perf-anchors.md: a push and pop
 * on one core cost about 7 ns, a handoff between cores about 230 ns.
 */
#ifndef SAVINA_MINI_H
#define SAVINA_MINI_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/savina.h"

typedef struct mini_node {
    _Atomic(struct mini_node *) next;
} mini_node;

typedef struct mini_actor mini_actor;
typedef struct mini_msg mini_msg;
typedef void (*mini_fn)(mini_actor *self, const mini_msg *m);

struct mini_msg {
    mini_node node; /* first: the mailbox links messages by it */
    mini_fn fn;     /* the "behaviour" */
    int64_t a, b;   /* arguments */
    mini_actor *ref; /* an actor reference argument */
};

struct mini_actor {
    _Atomic(uintptr_t) head; /* last pushed node; bit 0 = empty and idle */
    mini_node *tail;         /* consumer side */
    mini_node stub;
    mini_actor *next_runnable;
};

#define MINI_IDLE ((uintptr_t)1)
#define MINI_BATCH 100

static mini_actor *mini_run_first, *mini_run_last;
static mini_actor *mini_running; /* the actor whose message runs */
static bool mini_yield;          /* it sent itself a message: end its turn */
static mini_msg *mini_free_list;
static char *mini_arena_next, *mini_arena_end;

static void *mini_bump(size_t size) {
    size = (size + 15) & ~(size_t)15;
    if ((size_t)(mini_arena_end - mini_arena_next) < size) {
        size_t chunk = size > (1u << 20) ? size : (1u << 20);
        mini_arena_next = calloc(1, chunk);
        if (!mini_arena_next)
            savina_fail("baseline", "out of memory");
        mini_arena_end = mini_arena_next + chunk;
    }
    void *p = mini_arena_next;
    mini_arena_next += size;
    return p;
}

/* An actor: `size` bytes whose first member is a mini_actor. */
static void *mini_spawn(size_t size) {
    mini_actor *a = mini_bump(size);
    atomic_init(&a->stub.next, NULL);
    a->tail = &a->stub;
    atomic_init(&a->head, (uintptr_t)&a->stub | MINI_IDLE);
    return a;
}

static inline mini_msg *mini_alloc(void) {
    mini_msg *m = mini_free_list;
    if (m) {
        mini_free_list = (mini_msg *)atomic_load_explicit(&m->node.next, memory_order_relaxed);
        return m;
    }
    return mini_bump(sizeof(mini_msg));
}

static inline void mini_release(mini_node *n) {
    mini_msg *m = (mini_msg *)n;
    atomic_store_explicit(&m->node.next, (mini_node *)mini_free_list, memory_order_relaxed);
    mini_free_list = m;
}

static inline void mini_make_runnable(mini_actor *a) {
    a->next_runnable = NULL;
    if (mini_run_last)
        mini_run_last->next_runnable = a;
    else
        mini_run_first = a;
    mini_run_last = a;
}

static inline void mini_send(mini_actor *to, mini_fn fn, int64_t a, int64_t b, mini_actor *ref) {
    mini_msg *m = mini_alloc();
    m->fn = fn;
    m->a = a;
    m->b = b;
    m->ref = ref;
    atomic_store_explicit(&m->node.next, NULL, memory_order_relaxed);
    uintptr_t prev = atomic_exchange_explicit(&to->head, (uintptr_t)&m->node, memory_order_acq_rel);
    mini_node *prev_node = (mini_node *)(prev & ~MINI_IDLE);
    atomic_store_explicit(&prev_node->next, &m->node, memory_order_release);
    if (to == mini_running)
        mini_yield = true;
    if (prev & MINI_IDLE)
        mini_make_runnable(to);
}

/* Runs until no actor is runnable. An actor's turn ends after MINI_BATCH
 * messages, when its mailbox is empty, or after a message in which it sent
 * itself one (how a long loop yields, see counting.c). */
static void mini_run(void) {
    while (mini_run_first) {
        mini_actor *a = mini_run_first;
        mini_run_first = a->next_runnable;
        if (!mini_run_first)
            mini_run_last = NULL;
        bool drained = false;
        mini_running = a;
        mini_yield = false;
        for (int handled = 0; handled < MINI_BATCH && !mini_yield; handled++) {
            mini_node *tail = a->tail;
            mini_node *next = atomic_load_explicit(&tail->next, memory_order_acquire);
            if (!next) {
                drained = true;
                break;
            }
            a->tail = next;
            if (tail != &a->stub)
                mini_release(tail);
            const mini_msg *m = (const mini_msg *)next;
            m->fn(a, m);
        }
        mini_running = NULL;
        if (drained) {
            mini_node *tail = a->tail;
            uintptr_t expected = (uintptr_t)tail;
            atomic_store_explicit(&a->stub.next, NULL, memory_order_relaxed);
            a->tail = &a->stub;
            if (atomic_compare_exchange_strong_explicit(&a->head, &expected,
                                                        (uintptr_t)&a->stub | MINI_IDLE,
                                                        memory_order_release, memory_order_relaxed)) {
                if (tail != &a->stub)
                    mini_release(tail);
                continue;
            }
            a->tail = tail;
        }
        mini_make_runnable(a);
    }
}

#endif
