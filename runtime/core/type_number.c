/* type_number.c - giving actor types their numbers; see type_number.h. */
#include "type_number.h"

#include <pthread.h>
#include <stdatomic.h>

#include "counters.h"

ALOX_TLS type_number_entry type_number_cache[TYPE_NUMBER_CACHE];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* By number; written once under lock before the number is handed out. */
static _Atomic(const alox_type_desc *) by_number[TYPE_NUMBER_MAX + 1];
_Atomic uint32_t type_number_next = 1;

/* Under lock. */
static uint32_t number_locked(const alox_type_desc *type) {
    uint32_t n = atomic_load_explicit(&type_number_next, memory_order_relaxed);
    for (uint32_t i = 1; i < n; i++)
        if (atomic_load_explicit(&by_number[i], memory_order_relaxed) == type)
            return i;
    if (n > TYPE_NUMBER_MAX)
        return 0;
    atomic_store_explicit(&by_number[n], type, memory_order_relaxed);
    /* Release: a reader that sees the count sees the descriptor. */
    atomic_store_explicit(&type_number_next, n + 1, memory_order_release);
    return n;
}

type_number_entry *type_number_miss(const alox_type_desc *type) {
    /* The counters count a spawn in the entry, without asking whether the
     * thread's block is known (counters.h). */
    counters_thread_register();
    pthread_mutex_lock(&lock);
    uint32_t number = number_locked(type);
    pthread_mutex_unlock(&lock);
    type_number_entry *e = &type_number_cache[((uintptr_t)type >> 4) & (TYPE_NUMBER_CACHE - 1)];
    counters_spawns_evicted(e, type, number); /* its count goes, the entry is type's */
    return e;
}

const alox_type_desc *type_number_desc(uint32_t number) {
    if (number == 0 || number >= type_number_count())
        return NULL;
    return atomic_load_explicit(&by_number[number], memory_order_relaxed);
}

