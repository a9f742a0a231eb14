/* parking.c - a worker's futex word; see parking.h for the protocol. */
#include "parking.h"

#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "support/platform.h"

static long futex(_Atomic uint32_t *word, int op, uint32_t value) {
    return syscall(SYS_futex, (uint32_t *)word, op, value, NULL, NULL, 0);
}

/* FUTEX_WAIT's timeout is relative (CLOCK_MONOTONIC). */
static long futex_for(_Atomic uint32_t *word, uint32_t value, const struct timespec *timeout) {
    return syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, value, timeout, NULL, 0);
}

void parking_prepare(parking *p) {
    /* Relaxed: the owner's own transition; a waker reads the word only
     * after it found the owner in the scheduler's idle stack, under the
     * lock the owner held when it stored this (the lock orders them). */
    atomic_store_explicit(&p->state, PARKING_PARKED, memory_order_relaxed);
}

void parking_wait(parking *p) {
    uint32_t expected = PARKING_PARKED;
    /* Acquire on failure: the word is AWAKE, a wake came first, and what
     * the waker wrote before it (`stopping`, the idle count) must be
     * seen. On success nothing needs ordering (the load below acquires),
     * but C11 wants success at least as strong as failure: acquire too, a
     * plain lock cmpxchg on x86 either way. */
    if (!atomic_compare_exchange_strong_explicit(&p->state, &expected, PARKING_SLEEPING,
                                                 memory_order_acquire, memory_order_acquire))
        return;
    /* Acquire: pairs with the waker's release exchange (parking_wake). */
    while (atomic_load_explicit(&p->state, memory_order_acquire) == PARKING_SLEEPING) {
        /* Returns at once (EAGAIN) if the word is no longer SLEEPING;
         * EINTR and spurious returns loop to look at the word again. */
        if (futex(&p->state, FUTEX_WAIT_PRIVATE, PARKING_SLEEPING) < 0 && errno != EAGAIN &&
            errno != EINTR)
            alox_fatal("futex wait failed: %s", strerror(errno));
    }
}

bool parking_wake(parking *p) {
    /* Release: the owner's acquire in parking_wait sees what we wrote
     * before. An exchange (not a store) so we learn whether the owner may
     * be in the kernel: only then is the futex call needed. */
    uint32_t before = atomic_exchange_explicit(&p->state, PARKING_AWAKE, memory_order_release);
    if (before != PARKING_SLEEPING)
        return false;
    if (futex(&p->state, FUTEX_WAKE_PRIVATE, 1) < 0)
        alox_fatal("futex wake failed: %s", strerror(errno));
    return true;
}

bool parking_wait_for(parking *p, uint64_t ns) {
    uint32_t expected = PARKING_PARKED;
    /* Acquire, both: as in parking_wait. */
    if (!atomic_compare_exchange_strong_explicit(&p->state, &expected, PARKING_SLEEPING,
                                                 memory_order_acquire, memory_order_acquire))
        return true;
    struct timespec timeout = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    /* Acquire: pairs with the waker's release exchange (parking_wake).
     * One wait: an early return (EINTR, spurious) only means an early
     * timeout, which the caller treats like any other. */
    if (atomic_load_explicit(&p->state, memory_order_acquire) == PARKING_SLEEPING &&
        futex_for(&p->state, PARKING_SLEEPING, &timeout) < 0 && errno != EAGAIN && errno != EINTR &&
        errno != ETIMEDOUT)
        alox_fatal("futex wait failed: %s", strerror(errno));
    return atomic_load_explicit(&p->state, memory_order_acquire) != PARKING_SLEEPING;
}

bool parking_cancel(parking *p) {
    uint32_t expected = PARKING_SLEEPING;
    /* Acquire on failure: a wake came; what the waker wrote is seen, as
     * in parking_wait (on success nothing needs it; C11 wants success at
     * least as strong, the same lock cmpxchg on x86). */
    return atomic_compare_exchange_strong_explicit(&p->state, &expected, PARKING_AWAKE, memory_order_acquire,
                                                   memory_order_acquire);
}
