/* actor.c - spawning actors, their ids, alox_stop and alox_id. */
#include "actor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alox.h"
#include "counters.h"
#include "support/once_heap.h"
#include "support/platform.h"
#include "support/registry.h"
#include "type_number.h"
#include "worker.h"

#define SERIAL_BLOCK 1024 /* ids reserved per thread at once */

uint16_t actor_node_id;

/* Relaxed: only uniqueness of the blocks matters, not their order. */
static _Atomic uint64_t next_serial_block = 1;
static ALOX_TLS uint64_t serial_next, serial_end;

bool actor_serial_issued(uint64_t id) {
    uint64_t serial = id & ACTOR_SERIAL_MASK;
    /* Relaxed: an id that reached a peer was made before its block was
     * counted (this thread or one whose send the peer's reply follows). */
    return serial >= SERIAL_BLOCK &&
           serial < atomic_load_explicit(&next_serial_block, memory_order_relaxed) * SERIAL_BLOCK;
}

bool actor_was_freed(const actor *a) { return a->magic != ACTOR_MAGIC && once_heap_contains(a); }

static uint64_t next_serial(void) {
    if (ALOX_UNLIKELY(serial_next == serial_end)) {
        uint64_t block = atomic_fetch_add_explicit(&next_serial_block, 1, memory_order_relaxed);
        serial_next = block * SERIAL_BLOCK;
        serial_end = serial_next + SERIAL_BLOCK;
    }
    return serial_next++;
}

/* Always inlined into its three callers: GCC otherwise kept it (and
 * actor_spawn) out of line once the spawn count moved into the type
 * cache entry, two calls and five pushes per spawn (callgrind, skynet:
 * ~16 instructions an actor). */
static inline __attribute__((always_inline)) actor *spawn_with_id(const alox_type_desc *type,
                                                                  uint64_t id, uint32_t flags) {
    if (type->align > ONCE_HEAP_MAX_ALIGN || (type->align & (type->align - 1)))
        alox_fatal("actor type %s needs %llu-byte alignment; at most %u (a page) is supported", type->name,
                   (unsigned long long)type->align, ONCE_HEAP_MAX_ALIGN);
    /* Zeroed (fresh pages): actors start zero-initialised. */
    actor *a = once_heap_alloc(actor_footprint(type), sizeof(actor), (size_t)type->align);
    mailbox_init(&a->box);
    a->type = type;
    a->id = id;
    type_number_entry *entry = type_number_entry_of(type);
    atomic_init(&a->flags, flags | type_number_entry_number(entry) << ACTOR_TYPE_SHIFT);
    a->magic = ACTOR_MAGIC;
    if (!(flags & ACTOR_PROXY))
        counters_spawned(entry);
    return a;
}

actor *actor_spawn_with_id(const alox_type_desc *type, uint64_t id, uint32_t flags) {
    return spawn_with_id(type, id, flags);
}

actor *actor_spawn(const alox_type_desc *type) {
    return spawn_with_id(type, (uint64_t)actor_node_id << 48 | next_serial(), ACTOR_FRESH);
}

void *alox_spawn(const alox_type_desc *type) {
    return actor_body(spawn_with_id(type, (uint64_t)actor_node_id << 48 | next_serial(), ACTOR_FRESH));
}

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
    worker *w = worker_self; /* worker_current_actor inlined: one call per stopped actor saved */
    /* No test of NULL: self NULL gives an address no actor has, never the
     * current actor (computed as an integer: NULL minus the header's size
     * is not a pointer C allows). Relaxed: this thread's own store
     * (run_actor), if a runs here. */
    actor *a = (actor *)((uintptr_t)self - sizeof(actor));
    if (w == NULL || a != atomic_load_explicit(&w->current, memory_order_relaxed)) {
        fprintf(stderr,
                "alox: alox_stop(%p) ignored: an actor can only stop itself, inside one of its "
                "behaviours (send it a behaviour that calls alox_stop(self))\n",
                self);
        return;
    }
    /* Relaxed: only the worker running this actor reads the flag, and it is
     * this thread (alox_stop is called inside the actor's behaviour). */
    atomic_fetch_or_explicit(&a->flags, ACTOR_STOPPED, memory_order_relaxed);
    /* Not from the or's result: x86 has no fetch-or, that would be a
     * compare-exchange loop. */
    w->current_stopped = true; /* the rest of its batch: dead letters; counted at its end (worker.c) */
}
