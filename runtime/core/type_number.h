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
 * type on a thread takes the lock (and registers the thread's counters,
 * which count a spawn where the cache hits: counters.h). Reading an
 * actor's number is a shift of its flags word.
 *
 * Thread-safety: all functions, any thread.
 */
#ifndef ALOX_TYPE_NUMBER_H
#define ALOX_TYPE_NUMBER_H

#include <stdint.h>

#include "alox/abi.h"
#include "support/platform.h"

/* Types that get a number: far more than a program defines; 16 bits of
 * the header (actor.h ACTOR_TYPE_SHIFT) could hold 65535. */
#define TYPE_NUMBER_MAX 4095u
/* Cache entries per thread; a power of two. 16 bytes each. */
#define TYPE_NUMBER_CACHE 32u

typedef struct type_number_entry {
    const alox_type_desc *type; /* NULL: empty */
    uint32_t number;
} type_number_entry;

extern ALOX_TLS type_number_entry type_number_cache[TYPE_NUMBER_CACHE];

/* The slow path of type_number_of: under the lock (type_number.c). */
uint32_t type_number_miss(const alox_type_desc *type);

/* The number of `type`, given it on first use (0 once TYPE_NUMBER_MAX
 * types have numbers). */
static inline uint32_t type_number_of(const alox_type_desc *type) {
    type_number_entry *e = &type_number_cache[((uintptr_t)type >> 4) & (TYPE_NUMBER_CACHE - 1)];
    if (ALOX_LIKELY(e->type == type))
        return e->number;
    return type_number_miss(type);
}

/* The type with this number, or NULL (0, or not given out yet). */
const alox_type_desc *type_number_desc(uint32_t number);

/* One more than the highest number given out so far. */
uint32_t type_number_count(void);

#endif
