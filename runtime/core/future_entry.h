/*
 * future_entry.h - a future's pending entry, shared by the two files of
 * the module (internal: nothing outside runtime/core/future*.c includes
 * it): future.c (the entries, the request side, alox_then and its
 * timeouts) and future_await.c (alox_await: a thread that blocks on an
 * entry). future.h documents the module.
 *
 * Thread-safety: an entry's fields are under its spin lock (lock/unlock
 * below); its reference count is atomic; a waiter's fields are under the
 * waiter's mutex.
 */
#ifndef ALOX_FUTURE_ENTRY_H
#define ALOX_FUTURE_ENTRY_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "alox.h"
#include "timers.h"

/* Values up to this many bytes wait in the entry itself when the answer
 * comes before the consumer; larger ones in a block of their own. */
#define INLINE_VALUE_BYTES 64

enum future_state { PENDING, ANSWERED, DONE };
enum future_consumer { NO_CONSUMER, THEN, AWAIT };

typedef struct waiter {
    pthread_mutex_t lock; /* done, status and *value: the waiting thread sleeps on cond */
    pthread_cond_t cond;
    void *value;
    uint32_t size;
    alox_status status;
    bool done;
} waiter;

typedef struct future {
    _Atomic uint32_t lock;  /* a spin lock: held for a few stores, never across a call that blocks */
    _Atomic uint32_t refs; /* request, consumer, timer */
    uint8_t state;         /* enum future_state */
    uint8_t consumer;      /* enum future_consumer */
    bool timed_out;
    alox_status status;    /* ANSWERED: what came */
    uint32_t stored_size;  /* ANSWERED: the value's bytes */
    void *stored;          /* inline_value or a block of its own */
    void *self;            /* THEN */
    const alox_behaviour_desc *on_value;
    uint32_t value_size;   /* THEN: sizeof the consumer's T */
    alox_timer timer;      /* THEN with a timeout */
    waiter *waiting;       /* AWAIT */
    bool remote;           /* asked of another scheduler: in `remote_futures` */
    _Alignas(16) unsigned char inline_value[INLINE_VALUE_BYTES];
} future;

static inline future *future_of(alox_future_handle h) { return (future *)(uintptr_t)h; }

/* The entry's lock. Acquire pairs with the release in unlock, so each
 * holder sees the previous holder's writes; the sections are a few stores
 * (no call that can block), so spinning is cheaper than a mutex's two
 * atomic operations and its cache line; after SPINS_BEFORE_YIELD tries the
 * spinner yields (the holder may have been preempted). */
#define SPINS_BEFORE_YIELD 64

static inline void lock(future *f) {
    unsigned spins = 0;
    while (atomic_exchange_explicit(&f->lock, 1, memory_order_acquire)) {
        while (atomic_load_explicit(&f->lock, memory_order_relaxed))
            if (++spins % SPINS_BEFORE_YIELD == 0)
                sched_yield();
    }
}

static inline void unlock(future *f) { atomic_store_explicit(&f->lock, 0, memory_order_release); }

/* Lets go of one reference; the last one frees the entry (future.c). */
void future_unref(future *f);

/* Under the entry's lock (so the waiter, which takes it before giving up,
 * never leaves while this runs): hands the answer to an alox_await
 * (future_await.c). */
void future_wake(waiter *w, alox_status status, const void *value, uint32_t size);

/* Under the entry's lock: the consumer `by` (THEN or AWAIT) takes the
 * entry, once (a second consumer is fatal). True if the answer is already
 * there: the entry is then DONE and its status and value are the
 * consumer's to take (future.c). */
bool future_consume(future *f, enum future_consumer by);

/* An entry given up on at its timeout: counted for future_timeouts. */
void future_count_timeout(void);

#endif
