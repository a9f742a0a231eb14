/*
 * type_number.h - a small number for each actor type, kept in the actor
 * header (actor.h: the high half of `flags`), so code that needs the type
 * of a running or stopping actor indexes a small array instead of hashing
 * the type descriptor's address (the counters per type: counters.h).
 *
 * Numbers are given out in the order types are first spawned (proxies
 * included), from 1 up to TYPE_NUMBER_MAX; 0 means "no number": the types
 * after the first TYPE_NUMBER_MAX (code that uses a number must take a
 * slow path keyed by the descriptor for 0). A number never changes and
 * never names another type: descriptors live as long as the program (the
 * registered ones, registry.h, and the network's placeholders, proxy.c).
 *
 * Cost: a spawn looks its type up in a small direct-mapped cache of the
 * thread's own (one load and compare when it hits); a first spawn of a
 * type on a thread takes the lock (and registers the thread's counters).
 * The entry also holds the counters' count of the thread's spawns of its
 * type (counters.h counters_spawned: an add where the spawn already holds
 * the entry); an entry that changes type first hands its count over
 * (counters_spawns_evicted). Reading an actor's number is a shift of its
 * flags word.
 *
 * Thread-safety: all functions, any thread.
 */
#ifndef ALOX_TYPE_NUMBER_H
#define ALOX_TYPE_NUMBER_H

#include <stdatomic.h>
#include <stdint.h>

#include "alox/abi.h"
#include "support/platform.h"

/* Types that get a number: far more than a program defines; 16 bits of
 * the header (actor.h ACTOR_TYPE_SHIFT) could hold 65535. */
#define TYPE_NUMBER_MAX 4095u
/* Cache entries per thread; a power of two. 16 bytes each. */
#define TYPE_NUMBER_CACHE 32u

/* An entry's `word`: the number in the low TYPE_NUMBER_BITS, and above
 * them the counters' count of this thread's spawns of `type` not yet
 * handed over (48 bits: no program lives to overflow them). One word
 * keeps the entry at 16 bytes, so the look-up's index is a shift. */
#define TYPE_NUMBER_BITS 16u
#define TYPE_NUMBER_SPAWN (UINT64_C(1) << TYPE_NUMBER_BITS) /* one spawn in `word` */

/* Only the owning thread writes an entry; the counters' reader reads it
 * under the counters' lock, which the owner also holds while it changes
 * `type` (type_number_miss), so type and count agree. Relaxed atomics:
 * plain moves on x86-64 (see counters.h, Cost). */
typedef struct type_number_entry {
    _Atomic(const alox_type_desc *) type; /* NULL: empty */
    _Atomic uint64_t word;                /* number | spawns << TYPE_NUMBER_BITS */
} type_number_entry;

static inline uint32_t type_number_entry_number(const type_number_entry *e) {
    /* Relaxed: the owner's own word (or the reader's, under the lock). */
    return (uint32_t)(atomic_load_explicit(&e->word, memory_order_relaxed) & (TYPE_NUMBER_SPAWN - 1));
}

extern ALOX_TLS type_number_entry type_number_cache[TYPE_NUMBER_CACHE];

/* The slow path of type_number_entry_of: under the lock (type_number.c). */
type_number_entry *type_number_miss(const alox_type_desc *type);

/* This thread's cache entry of `type`, which holds its number (0 once
 * TYPE_NUMBER_MAX types have numbers), given it on first use. */
static inline type_number_entry *type_number_entry_of(const alox_type_desc *type) {
    type_number_entry *e = &type_number_cache[((uintptr_t)type >> 4) & (TYPE_NUMBER_CACHE - 1)];
    /* Relaxed: the entry is this thread's own. */
    if (ALOX_LIKELY(atomic_load_explicit(&e->type, memory_order_relaxed) == type))
        return e;
    return type_number_miss(type);
}

/* The type with this number, or NULL (0, or not given out yet). */
const alox_type_desc *type_number_desc(uint32_t number);

/* Numbers given out: 1 .. type_number_count - 1 (type_number.c). */
extern _Atomic uint32_t type_number_next;

/* One more than the highest number given out so far. Acquire: pairs with
 * the release that hands a number out, for type_number_desc. */
static inline uint32_t type_number_count(void) {
    return atomic_load_explicit(&type_number_next, memory_order_acquire);
}

#endif
