/*
 * message.h - one behaviour call in flight: which behaviour, and a copy of
 * its packed arguments. Messages live in pools (pool.h) and are linked
 * into mailboxes (and the transport's queues) through the node at their
 * start.
 *
 *   local:   [node | behaviour          | args...]        args at 16
 *   remote:  [node | behaviour|REMOTE | link | seq | next | trace]  args at 48
 *
 * A remote message is one that crosses the network: outgoing, `link` is
 * the target proxy; incoming, it is the frame record to tell when the
 * behaviour has run (the processed acknowledgement). A local message sent
 * by a behaviour that runs because of a remote message (its *cause*, see
 * remote_hooks.h) takes the remote form too, with `link` the cause, so
 * the cause is acknowledged only once it has run as well. An incoming
 * message's `seq` is its item's seq in the sender's session, and a caused
 * one's the seq of its first cause, so a send it makes back to that
 * sender can name what it proves ran (caused_by, net/peer.h). The tag bit
 * keeps the local header at 16 bytes. Args start at the offset above, or at the
 * behaviour's own alignment if that is larger.
 */
#ifndef ALOX_MESSAGE_H
#define ALOX_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alox/abi.h"
#include "mailbox.h"
#include "support/platform.h"
#include "support/pool.h"

#define MESSAGE_LOCAL_HEADER 16u  /* bytes before the args of a local message */
#define MESSAGE_REMOTE_HEADER 48u /* ... of a remote message */
#define MESSAGE_REMOTE_TAG ((uintptr_t)1)
/* On an outgoing remote message: sent by work a remote message caused
 * (net/causal.h), so a causal count waits for it; the message has one
 * pointer more after its args, the slot (message_slot), naming that count.
 * Descriptors are pointer-aligned: the two low bits are free. */
#define MESSAGE_CAUSED_TAG ((uintptr_t)2)
#define MESSAGE_TAGS (MESSAGE_REMOTE_TAG | MESSAGE_CAUSED_TAG)

typedef struct message {
    mailbox_node node;  /* must stay first: queues link messages by it */
    uintptr_t tagged;   /* the behaviour descriptor, | MESSAGE_REMOTE_TAG, | MESSAGE_CAUSED_TAG */
} message;

typedef struct remote_message {
    message base;
    void *link;   /* outgoing: the target proxy; incoming: its frame record */
    uint64_t seq; /* outgoing: position in the peer session's sequence (before it is
                   * queued: its cause, net/outgoing.c); incoming and caused: the seq
                   * of the item (from its peer) behind it */
    struct remote_message *next; /* outgoing: the peer's list of unacknowledged messages */
    uint64_t trace; /* its flow id for ALOX_TRACE (core/trace.h), 0 if not traced */
} remote_message;

_Static_assert(sizeof(message) <= MESSAGE_LOCAL_HEADER, "message header grew");
_Static_assert(_Alignof(alox_behaviour_desc) > MESSAGE_TAGS, "descriptor pointers carry the tags");
_Static_assert(sizeof(remote_message) <= MESSAGE_REMOTE_HEADER, "remote header grew");

static inline const alox_behaviour_desc *message_behaviour(const message *m) {
    return (const alox_behaviour_desc *)(m->tagged & ~MESSAGE_TAGS);
}

static inline int message_is_remote(const message *m) { return (m->tagged & MESSAGE_REMOTE_TAG) != 0; }

static inline size_t message_args_offset(const alox_behaviour_desc *b, int remote) {
    size_t header = remote ? MESSAGE_REMOTE_HEADER : MESSAGE_LOCAL_HEADER;
    return b->args_align > header ? b->args_align : header;
}

static inline void *message_args(message *m) {
    /* Through an integer: the args lie beyond the header struct, in the
     * same allocation, and GCC's object-size tracking must not think not. */
    uintptr_t at = (uintptr_t)m + message_args_offset(message_behaviour(m), message_is_remote(m));
    return (void *)at;
}

/* Slow paths (message.c): behaviours whose arguments need more alignment
 * than the pools give (a vector type), and remote messages. */
message *message_new_aligned(const alox_behaviour_desc *behaviour, int remote, const void *args);
void message_free_aligned(message *m);

static inline bool message_over_aligned(const alox_behaviour_desc *b) {
    return b->args_align > MESSAGE_LOCAL_HEADER;
}

static inline size_t message_size(const alox_behaviour_desc *b, int remote) {
    return message_args_offset(b, remote) + b->args_size;
}

/* Copies the packed arguments. Most are one to four 8-byte words: fixed-size
 * copies become a few moves, where a memcpy of a run-time size is a call. */
static inline void message_copy_args(void *to, const void *from, size_t size) {
    switch (size) {
    case 0: break;
    case 8: memcpy(to, from, 8); break;
    case 16: memcpy(to, from, 16); break;
    case 24: memcpy(to, from, 24); break;
    case 32: memcpy(to, from, 32); break;
    default: memcpy(to, from, size); break;
    }
}

/* A local message for `behaviour` holding a copy of its args_size bytes. */
static inline message *message_new(const alox_behaviour_desc *behaviour, const void *args) {
    if (ALOX_UNLIKELY(message_over_aligned(behaviour)))
        return message_new_aligned(behaviour, 0, args);
    message *m = pool_alloc(message_size(behaviour, 0));
    m->tagged = (uintptr_t)behaviour;
    message_copy_args((void *)((uintptr_t)m + MESSAGE_LOCAL_HEADER), args, behaviour->args_size);
    return m;
}

/* message_new without a call: NULL unless the arguments are 0 to 32 bytes
 * in whole words, need no more alignment than the header gives, and the
 * thread's pool has a block at hand (then message_new). */
static inline message *message_new_cached(const alox_behaviour_desc *behaviour, const void *args) {
    uint32_t size = behaviour->args_size;
    if (ALOX_UNLIKELY(message_over_aligned(behaviour) || size > 32 || (size & 7)))
        return NULL;
    message *m = pool_take_cached(MESSAGE_LOCAL_HEADER + size);
    if (ALOX_UNLIKELY(m == NULL))
        return NULL;
    m->tagged = (uintptr_t)behaviour;
    void *to = (void *)((uintptr_t)m + MESSAGE_LOCAL_HEADER);
    switch (size) { /* fixed-size moves, no memcpy call (the sizes tested above) */
    case 0: break;
    case 8: memcpy(to, args, 8); break;
    case 16: memcpy(to, args, 16); break;
    case 24: memcpy(to, args, 24); break;
    case 32: memcpy(to, args, 32); break;
    default: __builtin_unreachable();
    }
    return m;
}

/* A remote message: the same, with link and seq (set by the caller). */
remote_message *message_new_remote(const alox_behaviour_desc *behaviour, const void *args);

/* Where a slotted message's slot is: the first pointer-aligned place after
 * its args. Only outgoing messages sent by caused work have one (the
 * header stays 48 bytes for every other message); they are freed with
 * message_free_slotted, never message_free. */
static inline size_t message_slot_offset(const alox_behaviour_desc *b) {
    return (message_size(b, 1) + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
}
static inline void **message_slot(message *m) {
    uintptr_t at = (uintptr_t)m + message_slot_offset(message_behaviour(m));
    return (void **)at;
}

/* A remote message with a slot, tagged MESSAGE_CAUSED_TAG; and its free. */
remote_message *message_new_remote_slotted(const alox_behaviour_desc *behaviour, const void *args);
void message_free_slotted(message *m);

static inline void message_free(message *m) {
    const alox_behaviour_desc *b = message_behaviour(m);
    if (ALOX_UNLIKELY(message_over_aligned(b)))
        message_free_aligned(m);
    else
        pool_free(m, message_size(b, message_is_remote(m)));
}

static inline message *message_of(mailbox_node *node) { return (message *)node; }

#endif
