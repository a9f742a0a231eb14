/*
 * counters.h - what the runtime counts while it runs, for `alox top` and
 * the Prometheus endpoint (observe/): per worker (behaviours run, messages
 * sent, steals, parks, time busy, the actor running now) and per actor
 * type (actors spawned and stopped, behaviours run, sampled run time),
 * plus the largest backlogs seen while someone watches.
 *
 * Cost: every counter belongs to one thread and lives in that thread's
 * own block (thread-local, initial-exec: one load off %fs). A count is a
 * relaxed load and a relaxed store of the owner's own word, which compiles
 * to a plain add with no lock prefix; there is no shared atomic per
 * message. Another thread (the snapshot) reads the words with relaxed
 * loads and sees recent, not instantaneous, values.
 *
 *   - per worker: counted where the event happens (a batch end, a send, a
 *     steal, a park); time busy is measured only when a worker starts and
 *     stops looking for work (the slow path), never per message;
 *   - per actor type: a small direct-mapped table per thread, keyed by the
 *     type descriptor's address; spawns and stops are counted exactly. A
 *     slot taken by another type is folded into the global totals under
 *     the lock (rare: a program has few actor types);
 *   - behaviours and run time per type are sampled, not counted: one batch
 *     in about COUNTERS_SAMPLE_PERIOD (chosen at random, so periodic
 *     workloads do not alias) is timed and counted for the period. The
 *     estimates are unbiased; their error shrinks as 1/sqrt(samples). The
 *     per-worker counts are exact. The busiest actors are sampled by the
 *     reader (counters_running: what each worker runs now);
 *   - backlogs: while a snapshot asks for them (counters_want_backlogs), a
 *     worker that ends a full batch counts the messages still queued for
 *     that actor (it owns that mailbox; at most COUNTERS_BACKLOG_WALK).
 *
 * Thread-safety: the counting functions run on the thread they count for.
 * counters_read and counters_want_backlogs from any thread.
 */
#ifndef ALOX_COUNTERS_H
#define ALOX_COUNTERS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "alox/abi.h"
#include "support/platform.h"

#define COUNTERS_TYPE_SLOTS 32u      /* per thread; a power of two */
#define COUNTERS_SAMPLE_PERIOD 256u  /* batches per timed batch, on average */
#define COUNTERS_BACKLOGS 4u         /* largest backlogs remembered per worker */
#define COUNTERS_BACKLOG_WALK 10000u /* messages counted at most per backlog */

typedef _Atomic uint64_t counter;

/* Only the owning thread writes a counter: see above. */
static inline void counter_add(counter *c, uint64_t n) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static inline void counter_set(counter *c, uint64_t v) {
    atomic_store_explicit(c, v, memory_order_relaxed);
}

static inline uint64_t counter_get(counter *c) {
    return atomic_load_explicit(c, memory_order_relaxed);
}

static inline uint64_t counters_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct type_tally {
    _Atomic(const alox_type_desc *) type; /* NULL: free */
    counter spawned, stopped;
    counter runs_sampled, sampled_ns; /* estimates: samples x COUNTERS_SAMPLE_PERIOD */
} type_tally;

typedef struct backlog_sample {
    counter id, depth, epoch;
    _Atomic(const alox_type_desc *) type;
} backlog_sample;

/* The counters of one worker (and, across runs, of its index). */
typedef struct worker_tally {
    counter runs;      /* behaviours run */
    counter sent;      /* messages sent by its behaviours */
    counter steals;    /* successful steals */
    counter parks;     /* times it went to sleep */
    counter busy_ns;   /* time not looking for work, up to busy_since */
    counter busy_since_ns; /* 0 while looking for work or parked */
    counter current_id;    /* the actor it ran last, 0 once it looks for work */
    _Atomic(const alox_type_desc *) current_type;
} worker_tally;

typedef struct thread_counters {
    worker_tally w;            /* meaningful while `worker` >= 0 */
    int32_t worker;            /* the worker's index, -1 on other threads */
    uint32_t sample_tick;      /* the worker's batch number to time next */
    uint32_t rng;
    uint64_t sample_start_ns;  /* when the timed batch began */
    uint64_t backlog_epoch;    /* the last epoch this worker sampled in */
    uint32_t backlogs_taken;   /* samples taken in that epoch */
    type_tally types[COUNTERS_TYPE_SLOTS];
    backlog_sample backlogs[COUNTERS_BACKLOGS];
    const void *queue;         /* the worker's run queue (counters_read) */
    struct thread_counters *next; /* registered blocks, under the lock */
    bool registered;
} thread_counters;

extern ALOX_TLS thread_counters counters_self;

/* Raised by counters_want_backlogs; workers compare it to their own. */
extern _Atomic uint64_t counters_backlog_epoch;

/* Slow paths (counters.c). */
type_tally *counters_slot_miss(const alox_type_desc *type);
void counters_sample_begin(uint32_t tick);
void counters_sample_end(const alox_type_desc *type, uint32_t handled);
void counters_sample_backlog(const alox_type_desc *type, uint64_t id, const void *cursor);

static inline type_tally *counters_slot(const alox_type_desc *type) {
    type_tally *t = &counters_self.types[((uintptr_t)type >> 4) & (COUNTERS_TYPE_SLOTS - 1)];
    /* Relaxed: only this thread writes its slots. */
    if (ALOX_LIKELY(atomic_load_explicit(&t->type, memory_order_relaxed) == type))
        return t;
    return counters_slot_miss(type);
}

/* ------------------------------------------------------------------
 * The counting points, one per event.
 * ------------------------------------------------------------------ */

/* An actor of `type` was created (not a proxy). Any thread. */
static inline void counters_spawned(const alox_type_desc *type) {
    counter_add(&counters_slot(type)->spawned, 1);
}

/* An actor of `type` called alox_stop. */
static inline void counters_stopped(const alox_type_desc *type) {
    counter_add(&counters_slot(type)->stopped, 1);
}

/* A worker takes actor `id` of `type` to run a batch of its messages;
 * `tick` is the worker's own batch number (worker.ticks), which it counts
 * anyway, so choosing the batches to time costs one compare here rather
 * than a countdown of our own. Returns whether this batch is timed: the
 * caller keeps that in a register for counters_batch_end. */
static inline bool counters_batch_begin(const alox_type_desc *type, uint64_t id, uint32_t tick) {
    /* counters_self by name, not through a pointer: UBSan (GCC 12) takes
     * the address of an initial-exec thread-local for a null pointer. */
    counter_set(&counters_self.w.current_id, id);
    atomic_store_explicit(&counters_self.w.current_type, type, memory_order_relaxed);
    if (ALOX_LIKELY(tick != counters_self.sample_tick))
        return false;
    counters_sample_begin(tick);
    return true;
}

/* ... and ran `handled` behaviours of it. */
static inline void counters_batch_end(const alox_type_desc *type, uint32_t handled, bool timed) {
    counter_add(&counters_self.w.runs, handled);
    if (ALOX_UNLIKELY(timed))
        counters_sample_end(type, handled);
}

/* A batch ended with messages still queued (the actor goes back in a run
 * queue): if a snapshot asked, count them. `cursor` is the mailbox node
 * after which they follow (mailbox.h); only the running worker calls this. */
static inline void counters_backlogged(const alox_type_desc *type, uint64_t id,
                                       const void *cursor) {
    /* Relaxed: a hint; a late view of the epoch delays one sample. Epoch 0:
     * nobody ever asked. */
    uint64_t epoch = atomic_load_explicit(&counters_backlog_epoch, memory_order_relaxed);
    if (ALOX_UNLIKELY(epoch != counters_self.backlog_epoch ||
                      (epoch != 0 && counters_self.backlogs_taken < COUNTERS_BACKLOGS)))
            counters_sample_backlog(type, id, cursor);
}

/* A behaviour running on a worker sent a message. */
static inline void counters_sent(void) { counter_add(&counters_self.w.sent, 1); }

static inline void counters_stole(void) { counter_add(&counters_self.w.steals, 1); }

static inline void counters_parked(void) { counter_add(&counters_self.w.parks, 1); }

/* The worker found nothing in its own queues and starts looking (or
 * parks); and it found work again. Clock reads only here. */
void counters_idle_begin(void);
void counters_idle_end(void);

/* A worker thread starts (index i) and ends. */
void counters_worker_begin(uint32_t index, const void *queue);
void counters_worker_end(void);

/* ------------------------------------------------------------------
 * Reading (observe/).
 * ------------------------------------------------------------------ */
typedef struct counters_worker_view {
    uint32_t index;
    bool running;          /* a thread has this index now */
    uint64_t runs, sent, steals, parks, busy_ns;
    uint64_t current_id;   /* 0: looking for work or parked */
    const alox_type_desc *current_type;
    uint32_t queued;       /* actors in its run queue */
} counters_worker_view;

typedef struct counters_type_view {
    const alox_type_desc *type;
    uint64_t spawned, stopped, runs_sampled, sampled_ns;
} counters_type_view;

typedef struct counters_actor_view {
    uint64_t id;
    const alox_type_desc *type;
    uint64_t value; /* the depth (backlogs), or samples (busiest) */
} counters_actor_view;

typedef struct counters_view {
    counters_worker_view *workers; /* every index ever used, in order */
    size_t worker_count;
    counters_type_view *types;     /* every type ever counted */
    size_t type_count;
    counters_actor_view backlogs[COUNTERS_BACKLOGS * 4]; /* largest first */
    size_t backlog_count;
} counters_view;

/* Fills *out (arrays malloc'd; counters_view_free). Backlogs are those of
 * the current epoch. Any thread. */
bool counters_read(counters_view *out);
void counters_view_free(counters_view *v);

/* The actor each worker is running now (up to max); returns how many. */
size_t counters_running(counters_actor_view *out, size_t max);

/* Starts a new backlog epoch: workers sample the actors they leave
 * backlogged from now on. Returns the new epoch. */
uint64_t counters_want_backlogs(void);

/* How many backlog samples workers have taken in `epoch` so far. Any thread. */
size_t counters_backlogs_taken(uint64_t epoch);

#endif
