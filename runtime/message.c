/* message.c - see message.h. */
#include "message.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "pool.h"

static size_t message_size(const alox_behaviour_desc *b, int remote) {
    return message_args_offset(b, remote) + b->args_size;
}

static bool over_aligned(const alox_behaviour_desc *b) { return b->args_align > MESSAGE_LOCAL_HEADER; }

static message *allocate(const alox_behaviour_desc *b, int remote, const void *args) {
    message *m;
    size_t size = message_size(b, remote);
    if (ALOX_UNLIKELY(over_aligned(b))) {
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

message *message_new(const alox_behaviour_desc *behaviour, const void *args) {
    return allocate(behaviour, 0, args);
}

remote_message *message_new_remote(const alox_behaviour_desc *behaviour, const void *args) {
    remote_message *m = (remote_message *)allocate(behaviour, 1, args);
    m->link = NULL;
    m->seq = 0;
    m->next = NULL;
    return m;
}

void message_free(message *m) {
    const alox_behaviour_desc *b = message_behaviour(m);
    if (ALOX_UNLIKELY(over_aligned(b)))
        free(m);
    else
        pool_free(m, message_size(b, message_is_remote(m)));
}
