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
 * message), A is popped first. This gives the causal delivery of DESIGN §3.
 *
 * Memory: the consumer keeps the most recently popped node as the queue's
 * stub, so a popped node stays valid until the next pop; mailbox_pop hands
 * back the node it retired so the caller can free it. When the mailbox goes
 * idle the embedded stub takes the last node's place, so an idle actor
 * holds no message memory.
 */
#ifndef ALOX_MAILBOX_H
#define ALOX_MAILBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct mailbox_node {
    _Atomic(struct mailbox_node *) next;
} mailbox_node;

typedef struct mailbox {
    _Atomic(uintptr_t) head; /* last pushed node; bit 0 = empty and idle */
    mailbox_node *tail;      /* consumer side: the current stub */
    mailbox_node stub;       /* initial stub, never freed */
} mailbox;

/* Starts empty and idle (not scheduled). */
void mailbox_init(mailbox *box);

/* Appends a node. Returns true when the mailbox was empty and idle: the
 * caller must then schedule the actor. */
bool mailbox_push(mailbox *box, mailbox_node *node);

/* Takes the oldest node, or NULL if none is visible yet. *retired receives
 * the previous stub when it may now be freed (never the embedded stub),
 * else NULL. Consumer only. */
mailbox_node *mailbox_pop(mailbox *box, mailbox_node **retired);

/* Marks the mailbox empty and idle if nothing was pushed since the last
 * pop, and hands back in *retired the last popped node (or NULL) to free.
 * Returns false if a push raced in: the actor must stay scheduled. */
bool mailbox_mark_idle(mailbox *box, mailbox_node **retired);

/* Consumer only: is a node visible right now? */
bool mailbox_has_next(const mailbox *box);

#endif
