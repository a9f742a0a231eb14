/*
 * counters.h - what the runtime counts while it runs, for `alox top` and
 * the Prometheus endpoint (observe/): per worker (behaviours run, messages
 * sent, steals, parks, time busy, the actor running now) and per actor
 * type (actors spawned and stopped, behaviours run, sampled run time),
 * plus the largest backlogs seen while someone watches.
 *
 * Cost: every counter belongs to one thread and lives in that thread's
 * own block (thread-local, initial-exec: one load off %fs). A count is a
 * relaxed load and a relaxed store of the owner's own word: on x86-64 both
 * are plain moves (no lock prefix, no fence; C11 makes them atomic so the
 * racing reader is defined behaviour and TSan-clean, and a 64-bit aligned
 * move is never torn). There is no shared atomic per message. Another
 * thread (the snapshot) reads the words with relaxed loads and sees
 * recent, not instantaneous, values.
 *
 *   - per worker: behaviours run and messages sent are counted by the
 *     worker in plain fields of its own struct (worker.h: one 32-bit add
 *     per batch; a send's count is the increment the runnext handoff
 *     makes anyway) and published here (counters_publish) every
 *     COUNTERS_LOOK_BATCHES batches (worker.c) and before it looks for
 *     work, so a snapshot is at most 256 batches behind; steals and
 *     parks where they happen (slow paths); time busy only when a worker
 *     starts and stops looking for work, never per message, in ticks
 *     (ticks.h: the TSC); what a worker runs now is its `current`
 *     pointer (worker.h), read under grace;
 *   - per actor type, counted exactly: spawns in the spawning thread's
 *     type cache entry (type_number.h), which the spawn holds anyway (one
 *     relaxed add; an entry that changes type hands its count to the
 *     totals first); stops in a plain array of the worker record
 *     indexed by the type number the stopping actor carries in its header
 *     (one add; that there is something to publish is told by the
 *     reclamation's pending list, where the actor goes next), published
 *     with the worker's counts (counters_publish_stops)
 *     into a small array of relaxed words per thread; types numbered COUNTERS_TYPES or
 *     more go into the global totals under the lock at publication;
 *   - behaviours and run time per type are sampled, not counted: one batch
 *     in about COUNTERS_SAMPLE_PERIOD is timed and counted for the batches
 *     since the previous timed one. The worker decides where it publishes
 *     (every COUNTERS_LOOK_BATCHES batches, worker.c), counting down a
 *     random number of those looks, and then moves its looks earlier by a random
 *     number of batches, so periodic workloads do not alias; the timed
 *     batch (two reads of the TSC, ticks.h) starts through the one test a batch
 *     makes anyway (worker.h batch_flags, also tracing's) and ends through
 *     run_actor's branch for unusual batches, so the common batch pays
 *     nothing. The estimates are unbiased; their error shrinks as
 *     1/sqrt(samples). The per-worker counts are exact. The busiest actors
 *     are sampled by the reader (counters_running: what each worker runs
 *     now);
 *   - backlogs: while a snapshot asks for them (counters_want_backlogs to
 *     counters_backlogs_done), a worker that ends a full batch counts the
 *     messages still queued for that actor (it owns that mailbox; at most
 *     COUNTERS_BACKLOG_WALK); otherwise a full batch pays one test.
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
#include "ticks.h"
#include "type_number.h"

#define COUNTERS_TYPES 64u           /* type numbers counted per thread: 24 bytes each */
#define COUNTERS_SAMPLE_PERIOD 256u  /* batches per timed batch, on average */
#define COUNTERS_BACKLOGS 4u         /* largest backlogs remembered per worker */
#define COUNTERS_BACKLOG_WALK 10000u /* messages counted at most per backlog */

typedef _Atomic uint64_t counter;

/* Only the owning thread writes a counter: see above. */
static inline void counter_add(counter *c, uint64_t n) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

#if defined(__SANITIZE_THREAD__)
#define COUNTERS_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define COUNTERS_UNDER_TSAN 1
#endif
#endif

/* counter_add as one instruction, for the counting points that run per
 * actor (counters_spawned): an add to memory, not a locked one (only this
 * thread writes the word) and not the relaxed load, add and store that
 * GCC emits for counter_add (three instructions: it does not fuse
 * atomics). Its store is one aligned 64-bit write, so a reader's relaxed
 * load sees the old value or the new one, never a mix (what counter_add
 * gives too). Inline assembly, as C11 has no such operation; under TSan
 * counter_add itself, so the checker sees every write. */
static inline void counter_add_owned(_Atomic uint64_t *c, uint64_t n) {
#if defined(__x86_64__) && !defined(COUNTERS_UNDER_TSAN)
    __asm__("addq %1, %0" : "+m"(*(uint64_t *)c) : "er"(n));
#else
    counter_add(c, n);
#endif
}

static inline void counter_set(counter *c, uint64_t v) {
    atomic_store_explicit(c, v, memory_order_relaxed);
}

static inline uint64_t counter_get(counter *c) {
    return atomic_load_explicit(c, memory_order_relaxed);
}

/* CLOCK_MONOTONIC in ns (uptime, snapshots). What the workers time is in
 * ticks (ticks.h), turned into ns when read. */
static inline uint64_t counters_now_ns(void) { return ticks_monotonic_ns(); }

typedef struct type_tally {
    counter stopped;           /* published from the records' stops (counters_stop_words) */
    counter runs_sampled, sampled_ticks; /* estimates: samples x COUNTERS_SAMPLE_PERIOD */
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
    counter busy_ticks;  /* time not looking for work, up to busy_since (ticks.h) */
    counter busy_since;  /* ticks; 0 while looking for work or parked */
} worker_tally;

typedef struct thread_counters {
    worker_tally w;            /* meaningful while `worker` >= 0 */
    int32_t worker;            /* the worker's index, -1 on other threads */
    uint32_t rng;
    uint64_t sample_start;     /* ticks: when the timed batch began */
    uint64_t backlog_epoch;    /* the last epoch this worker sampled in */
    uint32_t backlogs_taken;   /* samples taken in that epoch */
    type_tally types[COUNTERS_TYPES]; /* by type number; 0 unused */
    backlog_sample backlogs[COUNTERS_BACKLOGS];
    const struct worker *self; /* the worker (counters_read: its queue, what it runs) */
    type_number_entry *spawns; /* the thread's type cache (type_number.h), which counts spawns */
    struct thread_counters *next; /* registered blocks, under the lock */
    bool registered;
} thread_counters;

extern ALOX_TLS thread_counters counters_self;

/* Raised by counters_want_backlogs; workers compare it to their own. */
extern _Atomic uint64_t counters_backlog_epoch;
/* Snapshots waiting for backlog samples now (counters_want_backlogs up,
 * counters_backlogs_done down). */
extern _Atomic uint32_t counters_backlog_watchers;

/* Stops by type number since their last publication, counted in plain
 * words of the worker record that ran the stopping actor (worker.h
 * `stops`: only its thread reads or writes them) and published by
 * counters_publish_stops (word 0 is unused: number 0 is no type's).
 * In the record, not thread-local: the worker's pointer is in a register
 * where the stop is counted (worker.c run_actor), so the add needs no
 * thread-pointer arithmetic (two instructions fewer). */
typedef uint64_t counters_stop_words[TYPE_NUMBER_MAX + 1];

/* Slow paths (counters.c). */
void counters_type_slow(const alox_type_desc *type, uint64_t spawned, uint64_t stopped);
struct actor;
void counters_stopped_unnumbered(const struct actor *a); /* counters_stopped's number 0 */
/* Adds a record's stops where counters_read looks, and zeroes them: every
 * COUNTERS_LOOK_BATCHES batches, before looking for work and at the end
 * on a worker (counters_publish), at the end of a guest run (guest.c).
 * ~4 instructions per type number given out. */
void counters_publish_stops(uint64_t *stops);
/* Cache entry `entry` becomes `type`'s (number `number`): the count it
 * holds goes to its old type's total first (type_number_miss). */
void counters_spawns_evicted(type_number_entry *entry, const alox_type_desc *type, uint32_t number);
void counters_thread_register(void); /* first count of a thread: its block is read from now */
/* Looks (every `batches_per_look` batches, a power of two, as is
 * COUNTERS_SAMPLE_PERIOD) to the next timed batch, and in *advance how
 * many batches early the looks come from now on (random, 0 ..
 * batches_per_look - 1), so the timed batches are COUNTERS_SAMPLE_PERIOD
 * apart on average: looks uniform in 1 .. 2 * L, L = COUNTERS_SAMPLE_PERIOD
 * / per_look (at least 1), so the gap, looks * per_look - advance
 * batches, is per_look * (L + 1/2) - (per_look - 1) / 2 on average, the
 * period (and a half). One xorshift draw, masks; inline, so the constants
 * fold (a call and a division were ~27 of a timed batch's ~130
 * instructions). The thread's own state: no atomics. */
static inline uint32_t counters_sample_distance(uint32_t batches_per_look, uint32_t *advance) {
    uint32_t looks = COUNTERS_SAMPLE_PERIOD / batches_per_look;
    uint32_t r = counters_self.rng;
    r ^= r << 13;
    r ^= r >> 17;
    r ^= r << 5;
    counters_self.rng = r;
    *advance = r & (batches_per_look - 1);
    return 1 + ((r >> 16) & (2 * (looks ? looks : 1) - 1));
}

static inline void counters_sample_begin(void) { counters_self.sample_start = ticks_now(); }
/* The timed batch ran `handled` behaviours; it stands for `batches`. */
void counters_sample_end(const alox_type_desc *type, uint32_t number, uint32_t handled,
                         uint32_t batches);
void counters_sample_backlog(const alox_type_desc *type, uint64_t id, const void *cursor);

/* The thread's tally of type `number`, or NULL: then counters_type_slow.
 * One compare: numbers 1 .. COUNTERS_TYPES - 1 (0 wraps around). The
 * caller knows the thread's block is registered (read by counters_read). */
static inline type_tally *counters_tally(uint32_t number) {
    return ALOX_LIKELY(number - 1u < COUNTERS_TYPES - 1u) ? &counters_self.types[number] : NULL;
}

/* ------------------------------------------------------------------
 * The counting points, one per event. ALOX_COUNTERS_OFF (the CMake option
 * ALOX_COUNTERS=OFF) compiles them out: only to measure what they cost
 * (bench/counters-cost.sh); `alox top` then shows zeros.
 * ------------------------------------------------------------------ */
#ifndef ALOX_COUNTERS_OFF

/* An actor was created (not a proxy), of the type of `entry`, the
 * spawning thread's cache entry of its type (type_number.h), which the
 * spawn holds anyway: the count is one add to memory there
 * (counter_add_owned), no look-up, no bounds test. Any thread:
 * type_number_miss registered the thread's block (the reader finds its
 * cache through it). Relaxed: see Cost above. */
static inline void counters_spawned(type_number_entry *entry) {
    counter_add_owned(&entry->word, TYPE_NUMBER_SPAWN);
}

/* Actor `a` (its type number: actor.h) called alox_stop, counted once at
 * the end of that batch (worker.c run_actor, from the flags it loaded at
 * the batch's start): on a worker or a guest (guest.h), whose blocks are
 * registered when they begin (counters_worker_begin, worker_init_guest).
 * One add to a plain word of the record's `stops` (only its thread
 * touches them), indexed by the number with no bounds test (numbers
 * are at most TYPE_NUMBER_MAX). No "something to publish" word:
 * the actor is retired right after (reclaim.h), which is the sign
 * counters_publish looks for. Number 0 (a type past
 * TYPE_NUMBER_MAX) goes by its descriptor. The number is 64 bits and the
 * actor is passed, not its type: no widening, and no load of the type
 * that only the slow path needs (GCC hoisted it). */
static inline void counters_stopped(uint64_t *stops, const struct actor *a, uint32_t number) {
    if (ALOX_LIKELY(number != 0)) {
        stops[number]++;
    } else {
        counters_stopped_unnumbered(a);
    }
}

/* Were actors stopped on this thread since `*seen` was taken? Each stop
 * is followed by the actor's retirement into the thread's pending list
 * (worker.c run_actor, reclaim.h), which is then still there (`pending`
 * not 0) or was moved on (`moves`, reclaim_pending_moves, changed). An
 * old retirement still pending answers yes too: a walk for nothing. */
static inline bool counters_stops_since(uint32_t *seen, uint32_t pending, uint32_t moves) {
    if (ALOX_LIKELY(pending == 0 && moves == *seen))
        return false;
    *seen = moves;
    return true;
}

/* A worker publishes what it counted in its own fields (worker.h):
 * behaviours run since the last publication (`*runs`, folded in here and
 * zeroed) and messages sent; and the thread's stops if there may be some
 * (counters_stops_since: `pending`, `moves` and `*seen` as there).
 * Relaxed: see Cost above. */
static inline void counters_publish(uint32_t *runs, uint64_t sent, uint64_t *stops, uint32_t *seen,
                                    uint32_t pending, uint32_t moves) {
    counter_set(&counters_self.w.runs, counter_get(&counters_self.w.runs) + *runs);
    *runs = 0;
    counter_set(&counters_self.w.sent, sent);
    if (ALOX_UNLIKELY(counters_stops_since(seen, pending, moves)))
        counters_publish_stops(stops);
}

/* A batch of `handled` behaviours ran: the worker's own word (worker.h),
 * 32 bits so the add is one instruction with no widening (a publication
 * comes every COUNTERS_LOOK_BATCHES batches at most: 6,400 behaviours). */
static inline void counters_ran(uint32_t *runs, uint32_t handled) { *runs += handled; }

/* Every COUNTERS_LOOK_BATCHES batches (worker.c): is the next batch to
 * be timed? (the worker's own countdown, from counters_sample_distance) */
static inline bool counters_time_next(uint32_t *countdown) { return --*countdown == 0; }


/* Does a snapshot want backlogs now? Relaxed: a hint; a late view delays
 * one sample, or takes one more (counters_sample_backlog looks again). */
static inline bool counters_backlogs_wanted(void) {
    return atomic_load_explicit(&counters_backlog_watchers, memory_order_relaxed) != 0;
}

/* A batch ended with messages still queued (the actor goes back in a run
 * queue): if a snapshot asked, count them. `cursor` is the mailbox node
 * after which they follow (mailbox.h); only the running worker calls this. */
static inline void counters_backlogged(const alox_type_desc *type, uint64_t id,
                                       const void *cursor) {
    if (ALOX_UNLIKELY(counters_backlogs_wanted()))
        counters_sample_backlog(type, id, cursor);
}

/* A guest (guest.h) ran its batches: its stops are published now (a
 * guest has no quiescent points of its own). */
static inline void counters_guest_done(uint64_t *stops, uint32_t *seen, uint32_t pending, uint32_t moves) {
    if (counters_stops_since(seen, pending, moves))
        counters_publish_stops(stops);
}

static inline void counters_stole(void) { counter_add(&counters_self.w.steals, 1); }

static inline void counters_parked(void) { counter_add(&counters_self.w.parks, 1); }

/* The worker found nothing in its own queues and starts looking (or
 * parks); and it found work again. Clock reads only here. */
void counters_idle_begin(void);
void counters_idle_end(void);
#else
static inline void counters_spawned(type_number_entry *entry) { (void)entry; }
static inline void counters_stopped(uint64_t *stops, const struct actor *a, uint32_t number) {
    (void)stops, (void)a, (void)number;
}
static inline void counters_publish(uint32_t *runs, uint64_t sent, uint64_t *stops, uint32_t *seen,
                                    uint32_t pending, uint32_t moves) {
    (void)runs, (void)sent, (void)stops, (void)seen, (void)pending, (void)moves;
}
static inline void counters_ran(uint32_t *runs, uint32_t handled) { (void)runs, (void)handled; }
static inline bool counters_time_next(uint32_t *countdown) {
    (void)countdown;
    return false;
}
static inline void counters_backlogged(const alox_type_desc *type, uint64_t id, const void *cursor) {
    (void)type, (void)id, (void)cursor;
}
static inline void counters_guest_done(uint64_t *stops, uint32_t *seen, uint32_t pending, uint32_t moves) {
    (void)stops, (void)seen, (void)pending, (void)moves;
}
static inline void counters_stole(void) {}
static inline void counters_parked(void) {}
static inline void counters_idle_begin(void) {}
static inline void counters_idle_end(void) {}
#endif

/* A worker thread starts and ends. */
struct worker;
void counters_worker_begin(const struct worker *w);
void counters_worker_end(void);

/* ------------------------------------------------------------------
 * Reading (observe/).
 * ------------------------------------------------------------------ */
typedef struct counters_worker_view {
    uint32_t index;
    bool running;          /* a thread has this index now */
    uint64_t runs, sent, steals, parks, busy_ns;
    uint64_t current_id;   /* 0: between batches, looking for work or parked */
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
 * backlogged from now on, until counters_backlogs_done. Returns the new
 * epoch. */
uint64_t counters_want_backlogs(void);
void counters_backlogs_done(void);

/* How many backlog samples workers have taken in `epoch` so far. Any thread. */
size_t counters_backlogs_taken(uint64_t epoch);

#endif
