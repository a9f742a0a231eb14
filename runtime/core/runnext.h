/*
 * runnext.h - a worker's run-next slot: the actor its last send made
 * runnable, run before anything else (worker.h, 1.), and stealable by an
 * idle worker when the owner is stuck in a long batch.
 *
 * Why stealable: a behaviour that sends one message and then computes for
 * 500 ms kept the receiver in the slot for those 500 ms while the other
 * workers were idle. Go's runnext is stealable the same way.
 *
 * Why not an exchange on every use (Go's design): the owner uses the slot
 * twice per link of a chain of sends (a put in the send, a take before the
 * next batch), and a locked instruction costs about a third of a local
 * message here. So the two sides are an asymmetric Dekker pair, as
 * liburcu's readers and its writer: the owner writes the slot with a
 * plain store and then reads the thief's word (`thief_in`) behind only a
 * compiler barrier; a thief announces itself in that word, then makes
 * every thread of the process execute a full memory barrier
 * (membarrier(2), MEMBARRIER_CMD_PRIVATE_EXPEDITED, ~0.1-5 us) before it
 * reads the slot and takes its actor with a compare-exchange. So either
 * the thief sees the owner's write (and its exchange fails or takes the
 * new actor), or the owner sees the thief's word and waits for its
 * verdict (runnext_settle): if the thief took the very actor the owner
 * read from the slot (a take, or the one a put displaced), the owner
 * drops it. Thieves come rarely (runnext_thief_look below), so the owner
 * pays one load and a branch per use, and the thief pays the barrier.
 *
 * When a thief takes the slot (runnext_thief_look): the slot is full, and
 * the owner's `progress` (its batch count, published after each batch) has
 * not moved for RUNNEXT_GRACE_NS. A chain of sends (ping-pong) ends a batch
 * every ~50 ns, so it always moves and stays on its core; a behaviour that
 * computes holds one batch, and its receiver goes to the idle worker.
 *
 * Who looks: idle workers while they spin (idle.c, steal), and one parked
 * worker, the watcher, which sleeps with a timeout while any other worker
 * is busy (scheduler.c, scheduler_park). An owner that fills its slot while
 * a worker sleeps with no timeout and none watches wakes one
 * (RUNNEXT_CALL_WATCHER), so someone always looks within a watch period
 * (1-8 ms, scheduler.h).
 *
 * The process registers for that barrier only before the first theft
 * (runnext.c: registered, a 2-worker ping-pong that never steals ran
 * 12-25% slower). Without membarrier (an old kernel, valgrind) nothing is
 * stolen: the slot is then the owner's alone, as it was.
 *
 * Thread-safety: runnext_put, runnext_take, runnext_peek and
 * runnext_progress on the owner's thread only; runnext_thief_look from
 * any other worker.
 */
#ifndef ALOX_RUNNEXT_H
#define ALOX_RUNNEXT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/platform.h"

struct actor;

/* A thief takes the slot once the owner's batch has run this long (ns).
 * 5 us: a hundred ping-pong links, far above a chain's batch, well below
 * anything a receiver would notice. */
#define RUNNEXT_GRACE_NS 5000u

/* A slot's thief word. Its low bits (RUNNEXT_THIEF_MASK): free, a thief
 * deciding, or a thief took `stolen` and the owner has not yet seen it (no
 * other thief comes meanwhile). RUNNEXT_CALL_WATCHER: the scheduler asks
 * the owner to wake a watcher (a worker sleeps with no timeout and none
 * watches); in the same word so that the owner's one test per use covers
 * both. Zero when neither. */
enum runnext_thief {
    RUNNEXT_THIEF_NONE = 0,
    RUNNEXT_THIEF_LOOKING = 1,
    RUNNEXT_THIEF_TOOK = 2,
    RUNNEXT_THIEF_MASK = 3,
    RUNNEXT_CALL_WATCHER = 4,
};

typedef struct runnext_slot {
    /* Filled by the owner only, emptied by it or by a thief's exchange. */
    _Alignas(ALOX_CACHE_LINE) _Atomic(struct actor *) slot;
    _Atomic uint32_t thief_in; /* enum runnext_thief */
    _Atomic uint32_t progress; /* the owner's batch count (a moving number, compared only) */
    /* Written by thieves only, on its own line so a look does not take
     * the owner's line away: the progress they saw, and when (us). */
    _Alignas(ALOX_CACHE_LINE) _Atomic uint64_t seen;
    _Atomic(struct actor *) stolen; /* what the last thief took, for the owner (THIEF_TOOK) */
} runnext_slot;

/* Registers for membarrier, once; true if thieves may take slots. */
bool runnext_steal_init(void);

/* The owner found thief_in not zero: wakes a watcher if asked, waits for
 * a thief's verdict and returns `held` unless the thief took that very
 * actor (runnext.c). */
struct actor *runnext_settle(runnext_slot *rn, struct actor *held);

/* Sets or clears RUNNEXT_CALL_WATCHER (the scheduler, under its lock). */
void runnext_ask_watcher(runnext_slot *rn, bool ask);

/* Wakes a worker to become the watcher, if none spins (scheduler.c). */
void runnext_call_watcher(void);

/* The owner's store to the slot comes before its load of thief_in in the
 * program's order: a compiler barrier for these two words only (a full
 * one, atomic_signal_fence, made the compiler reload everything it kept
 * in registers across it, ~7 instructions a message). The thief's
 * membarrier orders them on the CPU. */
#define RUNNEXT_ORDER(stored, loaded) __asm__ volatile("" : "+m"(loaded) : "m"(stored))

/* The owner: is the slot full? Only the owner fills it, so NULL is
 * certain; an actor may be gone by the time runnext_take looks. */
static inline struct actor *runnext_peek(runnext_slot *rn) {
    return atomic_load_explicit(&rn->slot, memory_order_relaxed);
}

/* The owner: a goes in the slot; *displaced gets what was there. False
 * if a thief is at the slot: then the caller must settle
 * (`*displaced = runnext_settle(rn, *displaced)`). runnext_put's first
 * half, for a fast path that calls nothing (core/mailman.c). */
static inline bool runnext_put_unsettled(runnext_slot *rn, struct actor *a, struct actor **displaced) {
    /* Relaxed load: only the owner fills the slot; a thief's emptying is
     * settled by the caller. Release store: a thief's acquire load of the
     * slot then sees the actor as this worker made it runnable. */
    *displaced = atomic_load_explicit(&rn->slot, memory_order_relaxed);
    atomic_store_explicit(&rn->slot, a, memory_order_release);
    RUNNEXT_ORDER(rn->slot, rn->thief_in);
    /* Relaxed: a hint to enter runnext_settle, which acquires. */
    return ALOX_LIKELY(atomic_load_explicit(&rn->thief_in, memory_order_relaxed) == 0);
}

/* The owner: a goes in the slot; returns the actor it displaces. */
static inline struct actor *runnext_put(runnext_slot *rn, struct actor *a) {
    struct actor *displaced;
    if (ALOX_UNLIKELY(!runnext_put_unsettled(rn, a, &displaced)))
        displaced = runnext_settle(rn, displaced);
    return displaced;
}

/* The owner: empties the slot; returns what was there, or NULL. */
static inline struct actor *runnext_take(runnext_slot *rn) {
    struct actor *a = runnext_peek(rn);
    if (!a)
        return NULL; /* nothing, and no thief can put anything */
    atomic_store_explicit(&rn->slot, NULL, memory_order_relaxed); /* relaxed: as in runnext_put */
    RUNNEXT_ORDER(rn->slot, rn->thief_in);
    if (ALOX_UNLIKELY(atomic_load_explicit(&rn->thief_in, memory_order_relaxed) != 0))
        a = runnext_settle(rn, a);
    return a;
}

/* The owner ended a batch: `batches` is its count (it only has to move). */
static inline void runnext_progress(runnext_slot *rn, uint32_t batches) {
    /* Relaxed: a thief only compares it with what it saw before. */
    atomic_store_explicit(&rn->progress, batches, memory_order_relaxed);
}

/* A thief looks at another worker's slot: returns its actor if the owner
 * has been in one batch for RUNNEXT_GRACE_NS (the first look only starts
 * the clock), else NULL. */
struct actor *runnext_thief_look(runnext_slot *rn);

#endif
