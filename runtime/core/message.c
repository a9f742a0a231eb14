/* message.c - the slow paths of messages; see message.h. */
#include "message.h"

#include <stdlib.h>
#include <string.h>

/* size: message_size(b, remote), or more for a slot. */
static message *allocate(const alox_behaviour_desc *b, int remote, size_t size, const void *args) {
    message *m;
    if (ALOX_UNLIKELY(message_over_aligned(b))) {
        /* Over-aligned arguments (e.g. a vector type): rare, not pooled. */
        size_t align = b->args_align;
        m = aligned_alloc(align, (size + align - 1) / align * align);
        if (!m)
            alox_fatal("out of memory allocating a message for %s", b->name);
    } else {
        m = pool_alloc(size);
    }
    m->tagged = (uintptr_t)b | (remote ? MESSAGE_REMOTE_TAG : 0);
    if (b->args_size)
        memcpy(message_args(m), args, b->args_size);
    return m;
}

message *message_new_aligned(const alox_behaviour_desc *behaviour, int remote, const void *args) {
    return allocate(behaviour, remote, message_size(behaviour, remote), args);
}

static remote_message *new_remote(const alox_behaviour_desc *behaviour, size_t size,
                                  const void *args) {
    remote_message *m = (remote_message *)allocate(behaviour, 1, size, args);
    m->link = NULL;
    m->seq = 0;
    m->next = NULL;
    m->trace = 0;
    return m;
}

remote_message *message_new_remote(const alox_behaviour_desc *behaviour, const void *args) {
    return new_remote(behaviour, message_size(behaviour, 1), args);
}

static size_t slotted_size(const alox_behaviour_desc *b) {
    return message_slot_offset(b) + sizeof(void *);
}

remote_message *message_new_remote_slotted(const alox_behaviour_desc *behaviour, const void *args) {
    remote_message *m = new_remote(behaviour, slotted_size(behaviour), args);
    m->base.tagged |= MESSAGE_CAUSED_TAG;
    *message_slot(&m->base) = NULL;
    return m;
}

void message_free_slotted(message *m) {
    const alox_behaviour_desc *b = message_behaviour(m);
    if (ALOX_UNLIKELY(message_over_aligned(b)))
        message_free_aligned(m);
    else
        pool_free(m, slotted_size(b));
}

void message_free_aligned(message *m) { free(m); }
