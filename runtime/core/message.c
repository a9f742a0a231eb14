/* message.c - the slow paths of messages; see message.h. */
#include "message.h"

#include <stdlib.h>
#include <string.h>

static message *allocate(const alox_behaviour_desc *b, int remote, const void *args) {
    message *m;
    size_t size = message_size(b, remote);
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
    return allocate(behaviour, remote, args);
}

remote_message *message_new_remote(const alox_behaviour_desc *behaviour, const void *args) {
    remote_message *m = (remote_message *)allocate(behaviour, 1, args);
    m->link = NULL;
    m->seq = 0;
    m->next = NULL;
    m->trace = 0;
    m->caused_by = 0;
    m->caused_gen = 0;
    return m;
}

void message_free_aligned(message *m) { free(m); }
