/* message.c - see message.h. */
#include "message.h"

#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "pool.h"

static size_t message_size(const alox_behaviour_desc *b) {
    return message_args_offset(b) + b->args_size;
}

message *message_new(const alox_behaviour_desc *behaviour, const void *args) {
    message *m;
    if (ALOX_UNLIKELY(behaviour->args_align > MESSAGE_ARGS_OFFSET)) {
        /* Over-aligned arguments (e.g. a vector type): rare, not pooled. */
        size_t align = behaviour->args_align, size = message_size(behaviour);
        m = aligned_alloc(align, (size + align - 1) / align * align);
        if (!m)
            alox_fatal("out of memory allocating a message for %s", behaviour->name);
    } else {
        m = pool_alloc(message_size(behaviour));
    }
    m->behaviour = behaviour;
    if (behaviour->args_size)
        memcpy(message_args(m), args, behaviour->args_size);
    return m;
}

void message_free(message *m) {
    const alox_behaviour_desc *b = m->behaviour;
    if (ALOX_UNLIKELY(b->args_align > MESSAGE_ARGS_OFFSET))
        free(m);
    else
        pool_free(m, message_size(b));
}
