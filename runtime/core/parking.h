/*
 * parking.h - the word an idle worker sleeps on, and its wake.
 *
 * One futex word per worker (Linux FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE
 * on an atomic int), in place of a condition variable: a park and its wake
 * cost two futex calls (the sleeper's wait, the waker's wake) where glibc's
 * condition variable costs three (its signal, its wait, and a wake at the
 * unlock after the wait: the waiter re-takes the mutex marked contended),
 * and the woken worker need not take the scheduler's lock again.
 *
 * States of the word:
 *   PARKING_AWAKE     running, or told to wake up;
 *   PARKING_PARKED    about to sleep (counted idle by the scheduler), not
 *                     yet in the kernel: a wake now costs no syscall;
 *   PARKING_SLEEPING  in futex_wait, or about to enter it: a wake must
 *                     make the futex call.
 * The owner moves AWAKE -> PARKED (parking_prepare) and PARKED -> SLEEPING
 * (in parking_wait); a waker moves either back to AWAKE (parking_wake).
 * No lost wake-up: the owner's PARKED -> SLEEPING is a compare-exchange,
 * so it fails if a wake came first, and the kernel compares the word with
 * SLEEPING atomically with queueing the sleeper: a wake that comes after
 * the exchange sees SLEEPING and calls futex_wake, which finds the sleeper
 * queued, or makes its futex_wait return at once (the word is AWAKE).
 *
 * Thread-safety: parking_prepare and parking_wait on the owner's thread
 * only; parking_wake from any thread (the scheduler calls it under its
 * lock, which also keeps the word's memory alive: scheduler.c).
 */
#ifndef ALOX_PARKING_H
#define ALOX_PARKING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum { PARKING_AWAKE = 0, PARKING_PARKED = 1, PARKING_SLEEPING = 2 };

typedef struct parking {
    _Atomic uint32_t state; /* zero-initialised: AWAKE */
} parking;

/* The owner is about to sleep: from now on a parking_wake is remembered.
 * Call it before the last look for work (scheduler.c's Dekker protocol
 * orders that look; this store is ordered by the scheduler's lock). */
void parking_prepare(parking *p);

/* Sleeps until a parking_wake since the last parking_prepare; returns at
 * once if one came already. */
void parking_wait(parking *p);

/* parking_wait for at most ns nanoseconds: false if it timed out, the
 * word still SLEEPING; the caller then calls parking_cancel (under the
 * scheduler's lock, which orders it against the wakers). */
bool parking_wait_for(parking *p, uint64_t ns);

/* After a timeout: back to AWAKE, unless a wake came meanwhile. True if
 * none came (the caller must take the owner off the idle stack itself). */
bool parking_cancel(parking *p);

/* Wakes the owner if it is parked or sleeping; returns true if that took a
 * futex call. Everything the waker wrote before is visible to the owner
 * when parking_wait returns (release here, acquire there). */
bool parking_wake(parking *p);

#endif
