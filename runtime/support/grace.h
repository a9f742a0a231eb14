/*
 * grace.h - grace periods: when may memory that others might still be
 * reading or writing be given back? (Quiescent-state-based reclamation,
 * as in Linux RCU and liburcu's QSBR flavour.)
 *
 * Every thread that touches actors it does not own is a participant with
 * one word, `seen`: 0 when it is offline (holds no pointer into actor
 * memory across this point), else the epoch it saw at its last quiescent
 * point. A grace period starts by bumping the global epoch to a target;
 * it is over when every participant is offline or has seen the target.
 * Whatever was unpublished (marked stopped) before the bump can then no
 * longer be in anyone's hands.
 *
 * - Workers are online while they run, announce a quiescent point after
 *   each actor's batch (a load and a store, no fence), and go offline
 *   while parked.
 * - Any other thread (the main thread, timers, the mailman) wraps each
 *   touch of an actor in grace_enter / grace_exit: a store and a seq_cst
 *   fence. They are off the send fast path (a worker's send pays nothing).
 *
 * Memory orders (each pairs with the one named):
 * - grace_start's fetch_add is acq_rel: it publishes everything the
 *   caller did before (the stopped flags) to whoever loads the new epoch
 *   with acquire at a quiescent point; after it, such a thread sees them.
 * - quiescent: acquire load of the epoch (above), release store of `seen`:
 *   everything the thread did before is visible to the reclaimer that
 *   reads `seen` with acquire in grace_done.
 * - enter: relaxed store then a seq_cst fence, against grace_done's seq_cst
 *   fence before it reads `seen` (a Dekker pair): either the reclaimer sees
 *   the thread online at an old epoch and waits, or the thread's later
 *   loads see what was published before the bump (the stopped flag).
 * - exit / offline: release store of 0, for the same reason as quiescent.
 *
 * Thread-safety: grace_start and grace_done from any thread; the others
 * act on the calling thread's own record. Nesting enter/exit is allowed.
 */
#ifndef ALOX_GRACE_H
#define ALOX_GRACE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

typedef struct grace_record {
    _Alignas(ALOX_CACHE_LINE) /* one line per thread: no false sharing */
    _Atomic uint64_t seen;     /* 0: offline; else the epoch at its last quiescent point */
    _Atomic bool taken;        /* owned by a live thread */
    struct grace_record *next; /* in the list of all records (never unlinked) */
    uint32_t depth;            /* grace_enter nesting, owner only */
} grace_record;

extern _Atomic uint64_t grace_epoch;
extern ALOX_TLS grace_record *grace_mine;

grace_record *grace_register(void); /* this thread's record, made on first use */

/* The calling thread holds no actor pointer from before this point. */
static inline void grace_quiescent(void) {
    grace_record *r = grace_mine;
    if (ALOX_UNLIKELY(r == NULL))
        r = grace_register();
    atomic_store_explicit(&r->seen, atomic_load_explicit(&grace_epoch, memory_order_acquire),
                          memory_order_release);
}

void grace_online(void);  /* grace_enter's slow part */
void grace_offline(void); /* grace_exit's */

/* The thread is about to touch actors it does not own: a thread that is
 * not a worker, around one send; a worker, from its start to its end
 * except while parked. Quiescent points only count while entered. */
static inline void grace_enter(void) {
    grace_record *r = grace_mine;
    if (ALOX_UNLIKELY(r == NULL))
        r = grace_register();
    if (r->depth++ == 0)
        grace_online();
}

static inline void grace_exit(void) {
    if (--grace_mine->depth == 0)
        grace_offline();
}

/* Starts a grace period; returns the epoch every participant must see. */
uint64_t grace_start(void);

/* Is the grace period for `target` over? Scans every record (a few: one
 * per thread that ever sent), so callers poll it now and then. */
bool grace_done(uint64_t target);

#endif
