/* mailbox.c - see mailbox.h for the algorithm and its guarantees. */
#include "mailbox.h"

#include <stddef.h>

#define IDLE_MARK ((uintptr_t)1)

void mailbox_init(mailbox *box) {
    atomic_init(&box->stub.next, NULL);
    box->tail = &box->stub;
    atomic_init(&box->head, (uintptr_t)&box->stub | IDLE_MARK);
}

bool mailbox_push(mailbox *box, mailbox_node *node) {
    /* Relaxed: the node is not visible to anyone until the exchange below
     * publishes it, and that exchange is a release. */
    atomic_store_explicit(&node->next, NULL, memory_order_relaxed);
    /* acq_rel: release publishes node->next = NULL and the message body to
     * the next pusher that links after us; acquire pairs with the
     * consumer's release CAS in mailbox_mark_idle so that a pusher which
     * sees the idle mark also sees the consumer is done with the actor. */
    uintptr_t prev = atomic_exchange_explicit(&box->head, (uintptr_t)node, memory_order_acq_rel);
    mailbox_node *prev_node = (mailbox_node *)(prev & ~IDLE_MARK);
    /* Release: the consumer reads `next` with acquire and must then see
     * the whole message this node heads. */
    atomic_store_explicit(&prev_node->next, node, memory_order_release);
    return (prev & IDLE_MARK) != 0;
}

mailbox_node *mailbox_pop(mailbox *box, mailbox_node **retired) {
    mailbox_node *tail = box->tail;
    /* Acquire: pairs with the release store of `next` in mailbox_push. */
    mailbox_node *next = atomic_load_explicit(&tail->next, memory_order_acquire);
    *retired = NULL;
    if (next == NULL)
        return NULL;
    box->tail = next;
    if (tail != &box->stub)
        *retired = tail;
    return next;
}

bool mailbox_has_next(const mailbox *box) {
    /* Acquire for the same reason as in mailbox_pop. */
    return atomic_load_explicit(&box->tail->next, memory_order_acquire) != NULL;
}

bool mailbox_mark_idle(mailbox *box, mailbox_node **retired) {
    mailbox_node *tail = box->tail;
    uintptr_t expected = (uintptr_t)tail;
    *retired = NULL;
    /* Put the embedded stub back in place of the last popped node. The stub
     * is not linked anywhere while tail != stub, so its link is ours alone.
     * Both writes must come before the CAS: once it succeeds, a pusher may
     * schedule the actor on another worker, which starts popping from
     * box->tail at once; the release CAS publishes them to it. */
    atomic_store_explicit(&box->stub.next, NULL, memory_order_relaxed);
    box->tail = &box->stub;
    /* The mailbox is empty exactly when head is the last popped node.
     * Release: the pusher that sees the mark (acquire exchange) then sees
     * every effect of the behaviours we ran, before it schedules the actor
     * elsewhere. Relaxed on failure: a push raced in and we keep going. */
    if (!atomic_compare_exchange_strong_explicit(&box->head, &expected,
                                                 (uintptr_t)&box->stub | IDLE_MARK,
                                                 memory_order_release, memory_order_relaxed)) {
        box->tail = tail; /* still ours: the actor stays scheduled */
        return false;
    }
    if (tail != &box->stub)
        *retired = tail;
    return true;
}
