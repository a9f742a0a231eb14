/*
 * injectq.h - the scheduler's global queue of runnable actors: for actors
 * made runnable by threads that are not workers (main, plain pthreads,
 * later the mailman threads), for overflow of full local queues, and for
 * actors left runnable when alox_exit stops the workers.
 *
 * A mutex-protected FIFO linked through actor->next_runnable: it is off the
 * hot path (workers mostly use their local queues), and a lock keeps it
 * obviously correct. `size` is readable without the lock so idle workers
 * can check it cheaply.
 *
 * Thread-safety: all functions, any thread.
 */
#ifndef ALOX_INJECTQ_H
#define ALOX_INJECTQ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct actor;

typedef struct injectq {
    pthread_mutex_t lock;
    struct actor *first, *last;
    _Atomic uint32_t size;
} injectq;

/* Adaptive where glibc has it: the lock is held for a few stores, so a
 * contender spins briefly instead of sleeping in the kernel at once (with
 * the plain mutex, workers of a spawn tree slept thousands of times a
 * second on it). */
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
#define INJECTQ_LOCK_INITIALIZER PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
#else
#define INJECTQ_LOCK_INITIALIZER PTHREAD_MUTEX_INITIALIZER
#endif
#define INJECTQ_INITIALIZER {INJECTQ_LOCK_INITIALIZER, NULL, NULL, 0}

void injectq_push(injectq *q, struct actor *a);

/* Appends n actors (oldest first) under one lock: a worker's overflow. */
void injectq_push_many(injectq *q, struct actor **actors, uint32_t n);

/* Takes up to max actors into out[], oldest first. Returns how many. */
uint32_t injectq_pop(injectq *q, struct actor **out, uint32_t max);

/* A snapshot, without the lock. */
uint32_t injectq_size(injectq *q);

#endif
