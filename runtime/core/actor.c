/* actor.c - spawning actors, their ids, alox_stop and alox_id. */
#include "actor.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alox.h"
#include "support/platform.h"
#include "support/registry.h"
#include "worker.h"

#define ARENA_CHUNK_BYTES (1024 * 1024) /* actors carved per thread at once */
#define SERIAL_BLOCK 1024               /* ids reserved per thread at once */

typedef struct arena_chunk {
    struct arena_chunk *next;
} arena_chunk;

uint16_t actor_node_id;

static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;
static arena_chunk *all_chunks; /* keeps every actor reachable for leak checkers */
/* Relaxed: only uniqueness of the blocks matters, not their order. */
static _Atomic uint64_t next_serial_block = 1;

static ALOX_TLS char *arena_next, *arena_end;
static ALOX_TLS uint64_t serial_next, serial_end;

static void *arena_alloc(size_t size) {
    if (ALOX_UNLIKELY(arena_next == NULL || (size_t)(arena_end - arena_next) < size)) {
        size_t bytes = size + 64 > ARENA_CHUNK_BYTES ? size + 64 : ARENA_CHUNK_BYTES;
        arena_chunk *c = calloc(1, bytes); /* zeroed: actors start zero-initialised */
        if (!c)
            alox_fatal("out of memory spawning an actor of %zu bytes", size);
        pthread_mutex_lock(&arena_lock);
        c->next = all_chunks;
        all_chunks = c;
        pthread_mutex_unlock(&arena_lock);
        arena_next = (char *)c + 64;
        arena_end = (char *)c + bytes;
    }
    void *p = arena_next;
    arena_next += size;
    return p;
}

static uint64_t next_serial(void) {
    if (ALOX_UNLIKELY(serial_next == serial_end)) {
        uint64_t block = atomic_fetch_add_explicit(&next_serial_block, 1, memory_order_relaxed);
        serial_next = block * SERIAL_BLOCK;
        serial_end = serial_next + SERIAL_BLOCK;
    }
    return serial_next++;
}

actor *actor_spawn_with_id(const alox_type_desc *type, uint64_t id, uint32_t flags) {
    if (type->align > 16)
        alox_fatal("actor type %s needs %llu-byte alignment; at most 16 is supported", type->name,
                   (unsigned long long)type->align);
    size_t size = (sizeof(actor) + type->size + 15) & ~(size_t)15;
    actor *a = arena_alloc(size);
    mailbox_init(&a->box);
    a->type = type;
    a->id = id;
    atomic_init(&a->flags, flags);
    a->magic = ACTOR_MAGIC;
    return a;
}

actor *actor_spawn(const alox_type_desc *type) {
    return actor_spawn_with_id(type, (uint64_t)actor_node_id << 48 | next_serial(), 0);
}

void *alox_spawn(const alox_type_desc *type) { return actor_body(actor_spawn(type)); }

void *alox__new(uint64_t size, uint64_t align, const char *spelled, ...) {
    const alox_type_desc *type = registry_type_by_spelling(spelled);
    if (!type)
        alox_fatal("alox_new(%s): no actor type of that name is registered. Mark the struct "
                   "alox_actor and build with -fplugin=alox (hand-written code: call "
                   "alox_register_type first)",
                   spelled);
    if (type->size != size || type->align != align)
        alox_fatal("alox_new(%s): the registered actor type %s has size %llu, this unit sees %llu: "
                   "rebuild every unit against the same definition",
                   spelled, type->name, (unsigned long long)type->size, (unsigned long long)size);
    return alox_spawn(type);
}

uint64_t alox_id(const void *body) { return body ? actor_of(body)->id : 0; }

void alox_stop(void *self) {
    actor *a = self ? actor_of(self) : NULL;
    if (a == NULL || a != worker_current_actor()) {
        fprintf(stderr,
                "alox: alox_stop(%p) ignored: an actor can only stop itself, inside one of its "
                "behaviours (send it a behaviour that calls alox_stop(self))\n",
                self);
        return;
    }
    /* Relaxed: only the worker running this actor reads the flag, and it is
     * this thread (alox_stop is called inside the actor's behaviour). */
    atomic_fetch_or_explicit(&a->flags, ACTOR_STOPPED, memory_order_relaxed);
    worker_self->current_stopped = true; /* the rest of its batch: dead letters */
}
