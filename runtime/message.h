/*
 * message.h - one behaviour call in flight: which behaviour, and a copy of
 * its packed arguments. Messages live in pools (pool.h) and are linked
 * into mailboxes through the node at their start.
 *
 * Layout: [node | behaviour | args...]; args start at MESSAGE_ARGS_OFFSET,
 * or at the behaviour's own alignment if that is larger.
 */
#ifndef ALOX_MESSAGE_H
#define ALOX_MESSAGE_H

#include <stddef.h>

#include "alox/abi.h"
#include "mailbox.h"

/* Bytes before the arguments: the header, rounded up to max_align_t. */
#define MESSAGE_ARGS_OFFSET 16u

typedef struct message {
    mailbox_node node; /* must stay first: mailboxes link messages by it */
    const alox_behaviour_desc *behaviour;
} message;

_Static_assert(sizeof(message) <= MESSAGE_ARGS_OFFSET, "message header grew");

static inline size_t message_args_offset(const alox_behaviour_desc *b) {
    return b->args_align > MESSAGE_ARGS_OFFSET ? b->args_align : MESSAGE_ARGS_OFFSET;
}

static inline void *message_args(message *m) {
    return (char *)m + message_args_offset(m->behaviour);
}

/* A message for `behaviour` holding a copy of its args_size bytes. */
message *message_new(const alox_behaviour_desc *behaviour, const void *args);

void message_free(message *m);

static inline message *message_of(mailbox_node *node) { return (message *)node; }

#endif
