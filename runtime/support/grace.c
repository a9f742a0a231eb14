/* grace.c - grace periods; see grace.h for the protocol and its orders. */
#include "grace.h"

#include <pthread.h>
#include <stdlib.h>

_Atomic uint64_t grace_epoch = 1; /* 0 means offline in a record */
ALOX_TLS grace_record *grace_mine;

/* Release: a scanner that sees a record sees its initialised fields. */
static _Atomic(grace_record *) all_records;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

static void release_record(void *record) {
    grace_record *r = record;
    r->depth = 0;
    atomic_store_explicit(&r->seen, 0, memory_order_release);
    atomic_store_explicit(&r->taken, false, memory_order_release);
}

static void make_exit_key(void) { pthread_key_create(&exit_key, release_record); }

grace_record *grace_register(void) {
    pthread_once(&exit_once, make_exit_key);
    grace_record *r = atomic_load_explicit(&all_records, memory_order_acquire);
    for (; r; r = r->next) { /* reuse the record of a thread that ended */
        bool free_record = false;
        if (!atomic_load_explicit(&r->taken, memory_order_relaxed) &&
            atomic_compare_exchange_strong_explicit(&r->taken, &free_record, true, memory_order_acquire,
                                                    memory_order_relaxed))
            break;
    }
    if (!r) {
        if (posix_memalign((void **)&r, ALOX_CACHE_LINE, sizeof *r) != 0)
            alox_fatal("out of memory registering a thread for grace periods");
        atomic_init(&r->seen, 0);
        atomic_init(&r->taken, true);
        r->depth = 0;
        r->next = atomic_load_explicit(&all_records, memory_order_relaxed);
        while (!atomic_compare_exchange_weak_explicit(&all_records, &r->next, r, memory_order_release,
                                                      memory_order_relaxed))
            ;
    }
    grace_mine = r;
    pthread_setspecific(exit_key, r);
    return r;
}

void grace_online(void) {
    atomic_store_explicit(&grace_mine->seen, atomic_load_explicit(&grace_epoch, memory_order_acquire),
                          memory_order_relaxed);
    /* seq_cst: the Dekker half of the participant (grace.h). */
    atomic_thread_fence(memory_order_seq_cst);
}

void grace_offline(void) { atomic_store_explicit(&grace_mine->seen, 0, memory_order_release); }

uint64_t grace_start(void) {
    /* acq_rel: see grace.h. */
    return atomic_fetch_add_explicit(&grace_epoch, 1, memory_order_acq_rel) + 1;
}

bool grace_done(uint64_t target) {
    /* seq_cst: the Dekker half of the reclaimer (grace.h). */
    atomic_thread_fence(memory_order_seq_cst);
    for (grace_record *r = atomic_load_explicit(&all_records, memory_order_acquire); r; r = r->next) {
        uint64_t seen = atomic_load_explicit(&r->seen, memory_order_acquire);
        if (seen != 0 && seen < target)
            return false;
    }
    return true;
}
