/*
 * mailbox.h - an actor's mailbox: a lock-free multi-producer, single-consumer
 * FIFO of intrusive nodes (Vyukov's queue, with Pony's "empty" mark).
 *
 * Any thread may push. Only the thread currently running the actor pops.
 * The low bit of `head` marks the mailbox as empty-and-idle: the push that
 * finds it set is the one that must schedule the actor, so an actor is in
 * at most one run queue, or running, at any moment. That is what makes
 * "one behaviour at a time per actor" hold without locks.
 *
 * Order: pushes are linearised by the exchange on `head`; if push A
 * happens before push B (same thread, or causally through another
 * message), A is popped first. This gives the causal delivery promised in the README.
 *
 * Memory: the consumer keeps the most recently popped node as the queue's
 * stub, so a popped node stays valid until the next pop; mailbox_pop hands
 * back the node it retired so the caller can free it. When the mailbox goes
 * idle the embedded stub takes the last node's place, so an idle actor
 * holds no message memory.
 *
 * Every operation is inline: they are on the path of every send and every
 * delivery. Push, pop and the end of a batch announce their hand-off to
 * ThreadSanitizer when the program runs under it (support/tsan.h), so a
 * user's -fsanitize=thread build is not misled by the uninstrumented runtime.
 */
#ifndef ALOX_MAILBOX_H
#define ALOX_MAILBOX_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "support/tsan.h"

typedef struct mailbox_node {
    _Atomic(struct mailbox_node *) next;
} mailbox_node;

typedef struct mailbox {
    _Atomic(uintptr_t) head; /* last pushed node; bit 0 = empty and idle */
    /* Consumer side: the current stub. A sender may read it as a progress
     * mark (overload.h, mailbox_tail_seen): so the consumer, its only
     * writer, stores it with relaxed atomic stores (a plain mov) and reads
     * it plainly (no other thread writes it). Not _Atomic: GCC then
     * reloaded it around the batch loop (callgrind, ping-pong: 10
     * instructions a batch). */
    mailbox_node *tail;
    mailbox_node stub;       /* initial stub, never freed */
} mailbox;

#define MAILBOX_IDLE_MARK ((uintptr_t)1)

/* Starts empty and idle (not scheduled). */
static inline void mailbox_init(mailbox *box) {
    atomic_init(&box->stub.next, NULL);
    box->tail = &box->stub;
    atomic_init(&box->head, (uintptr_t)&box->stub | MAILBOX_IDLE_MARK);
}

/* mailbox_push without the TSan announcement: for a caller that has
 * found TSan absent (tsan_active), or announces it itself. */
static inline bool mailbox_push_unannounced(mailbox *box, mailbox_node *node) {
    /* Relaxed: the node is not visible to anyone until the exchange below
     * publishes it, and that exchange is a release. */
    atomic_store_explicit(&node->next, NULL, memory_order_relaxed);
    /* acq_rel: release publishes node->next = NULL and the message body to
     * the next pusher that links after us; acquire pairs with the
     * consumer's release CAS in mailbox_mark_idle so that a pusher which
     * sees the idle mark also sees the consumer is done with the actor. */
    uintptr_t prev = atomic_exchange_explicit(&box->head, (uintptr_t)node, memory_order_acq_rel);
    mailbox_node *prev_node = (mailbox_node *)(prev & ~MAILBOX_IDLE_MARK);
    /* Release: the consumer reads `next` with acquire and must then see
     * the whole message this node heads. */
    atomic_store_explicit(&prev_node->next, node, memory_order_release);
    return (prev & MAILBOX_IDLE_MARK) != 0;
}

/* Appends a node. Returns true when the mailbox was empty and idle: the
 * caller must then schedule the actor. */
static inline bool mailbox_push(mailbox *box, mailbox_node *node) {
    tsan_release(box); /* the sender's writes, for the behaviour (support/tsan.h) */
    return mailbox_push_unannounced(box, node);
}

/* Consumer, for a run of pops: the cursor (the current stub) is kept in the
 * caller's local variable from mailbox_batch_begin to mailbox_batch_end.
 * The mailbox sits in the actor header, whose line every push exchanges
 * `head` in; a consumer that wrote `tail` there at every pop would pull
 * that line back to its core once per message, and a producer on another
 * core would wait for it at every send. */
/* Consumer only: its own cursor. */
static inline mailbox_node *mailbox_tail(const mailbox *box) { return box->tail; }

static inline void mailbox_set_tail(mailbox *box, mailbox_node *tail) {
    /* Relaxed: only a progress mark for senders (mailbox_tail_seen), who
     * compare it and never follow it. */
    __atomic_store_n(&box->tail, tail, __ATOMIC_RELAXED);
}

/* Any thread: the consumer's cursor as last stored, to compare only. */
static inline const void *mailbox_tail_seen(const mailbox *box) {
    /* Relaxed: a snapshot; a stale one delays a sender's decision. */
    return __atomic_load_n(&box->tail, __ATOMIC_RELAXED);
}

static inline mailbox_node *mailbox_batch_begin(const mailbox *box) { return mailbox_tail(box); }

static inline void mailbox_batch_end(mailbox *box, mailbox_node *cursor) {
    tsan_release(box); /* this batch's behaviours, for the next batch, maybe elsewhere */
    mailbox_set_tail(box, cursor);
}

/* Takes the oldest node, or NULL if none is visible yet, advancing
 * *cursor. *retired receives the previous stub when it may now be freed
 * (never the embedded stub), else NULL. Consumer only. */
static inline mailbox_node *mailbox_batch_pop(mailbox *box, mailbox_node **cursor,
                                              mailbox_node **retired) {
    mailbox_node *tail = *cursor;
    /* Acquire: pairs with the release store of `next` in mailbox_push. */
    mailbox_node *next = atomic_load_explicit(&tail->next, memory_order_acquire);
    *retired = NULL;
    if (next == NULL)
        return NULL;
    *cursor = next;
    if (tail != &box->stub)
        *retired = tail;
    tsan_acquire(box); /* the pushers' and the previous batches' writes */
    return next;
}

/* Consumer only: is a node visible after the cursor right now? */
static inline bool mailbox_batch_has_next(const mailbox_node *cursor) {
    /* Acquire for the same reason as in mailbox_batch_pop. */
    return atomic_load_explicit(&cursor->next, memory_order_acquire) != NULL;
}

/* Consumer only: is the mailbox empty right now? A pop can find no node
 * while a push is half done (it exchanged head, has not linked `next`
 * yet): that is not empty, and only this says so. */
static inline bool mailbox_batch_empty(const mailbox *box, const mailbox_node *cursor) {
    /* Relaxed: a snapshot for a decision that a later CAS confirms. */
    return atomic_load_explicit(&box->head, memory_order_relaxed) == (uintptr_t)cursor;
}

/* One pop, outside a batch (the same, with the cursor in the mailbox). */
static inline mailbox_node *mailbox_pop(mailbox *box, mailbox_node **retired) {
    mailbox_node *cursor = mailbox_batch_begin(box);
    mailbox_node *node = mailbox_batch_pop(box, &cursor, retired);
    mailbox_batch_end(box, cursor);
    return node;
}

/* Marks the mailbox empty and idle if nothing was pushed since the last
 * pop, and hands back in *retired the last popped node (or NULL) to free.
 * Returns false if a push raced in: the actor must stay scheduled. */
static inline bool mailbox_mark_idle(mailbox *box, mailbox_node **retired) {
    mailbox_node *tail = mailbox_tail(box);
    uintptr_t expected = (uintptr_t)tail;
    *retired = NULL;
    /* Put the embedded stub back in place of the last popped node. The stub
     * is not linked anywhere while tail != stub, so its link is ours alone.
     * Both writes must come before the CAS: once it succeeds, a pusher may
     * schedule the actor on another worker, which starts popping from
     * box->tail at once; the release CAS publishes them to it. */
    atomic_store_explicit(&box->stub.next, NULL, memory_order_relaxed);
    mailbox_set_tail(box, &box->stub);
    /* The mailbox is empty exactly when head is the last popped node.
     * Release: the pusher that sees the mark (acquire exchange) then sees
     * every effect of the behaviours we ran, before it schedules the actor
     * elsewhere. Relaxed on failure: a push raced in and we keep going. */
    if (!atomic_compare_exchange_strong_explicit(&box->head, &expected,
                                                 (uintptr_t)&box->stub | MAILBOX_IDLE_MARK,
                                                 memory_order_release, memory_order_relaxed)) {
        mailbox_set_tail(box, tail); /* still ours: the actor stays scheduled */
        return false;
    }
    if (tail != &box->stub)
        *retired = tail;
    return true;
}

/* For a stopped actor (core/reclaim.c): puts the embedded stub back in
 * place of the last popped node, like mailbox_mark_idle, but leaves the
 * mailbox busy (no idle mark), so no push will ever schedule the actor.
 * *retired gets the node to free, or NULL if a push raced in (then that
 * node stays linked and goes with the later drain). Consumer only. */
static inline void mailbox_close(mailbox *box, mailbox_node **retired) {
    mailbox_node *tail = mailbox_tail(box);
    uintptr_t expected = (uintptr_t)tail;
    *retired = NULL;
    if (tail == &box->stub)
        return;
    atomic_store_explicit(&box->stub.next, NULL, memory_order_relaxed);
    mailbox_set_tail(box, &box->stub);
    /* Release: a pusher that links after the stub (acquire exchange)
     * finds stub.next cleared. Relaxed on failure: a push raced in. */
    if (!atomic_compare_exchange_strong_explicit(&box->head, &expected, (uintptr_t)&box->stub,
                                                 memory_order_release, memory_order_relaxed)) {
        mailbox_set_tail(box, tail);
        return;
    }
    *retired = tail;
}

#endif
