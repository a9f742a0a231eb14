/*
 * worker.h - a worker thread: runs actors, one batch of messages at a time.
 *
 * Where a worker finds its next actor, in order:
 *   1. `runnext`: the actor most recently made runnable by a send from this
 *      worker. Running it next keeps a chain of sends (ping-pong, pipelines)
 *      on one core: a push and pop cost ~7 ns, a handoff to another core
 *      ~230 ns (measured on our machines: bench/README.md). A chain gets a
 *      time slice (RUNNEXT_SLICE_NS in worker.c), then goes behind the
 *      local queue, so it cannot starve the actors waiting there. An idle
 *      worker takes it when this worker's batch has run for
 *      RUNNEXT_GRACE_NS (runnext.h): a behaviour that sends and then
 *      computes does not hold its receiver.
 *   2. its stack of children (`fresh`, LIFO): actors that had never run
 *      when a send made them runnable and another send displaced them from
 *      runnext. A tree of spawns (skynet) then unfolds depth first, as
 *      under CAF, so few of its actors are alive at once: breadth first,
 *      a million leaves are spawned before the first one ends. The stack
 *      is the owner's; its oldest entry (the root of the largest subtree)
 *      moves to the local queue when the stack is full or a worker is
 *      idle, where thieves find it. Every LOCAL_CHECK_INTERVAL actors the
 *      local queue goes first, so a tree that keeps growing starves no one
 *      (a child found there, offered to a thief and not taken, goes back
 *      to the bottom of the stack: worker.c, give_back_offered);
 *   3. its local run queue (FIFO), and every INJECT_CHECK_INTERVAL actors
 *      the scheduler's injection queue first, so outside sends never starve;
 *   4. the injection queue;
 *   5. stealing half of another worker's local queue (while "spinning");
 *   6. lingering (ALOX_LINGER_US, off by default): after running
 *      something, one worker at a time spins on the injection queue for
 *      that long before it parks, so the I/O thread's firings and
 *      readiness messages need no futex wake;
 *   7. parking (scheduler_park): an idle worker sleeps on its own futex
 *      word (parking.h) and uses no CPU.
 * Work moves to other cores only when there is more runnable work than
 * running workers: a displaced runnext, a requeued actor, or a behaviour
 * that keeps sending while a receiver waits in runnext.
 *
 * Thread-safety: worker_* functions run on the worker's own thread, except
 * that its run queue and its run-next slot may be stolen from (see
 * runqueue.h, runnext.h).
 */
#ifndef ALOX_WORKER_H
#define ALOX_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "parking.h"
#include "support/platform.h"
#include "runnext.h"
#include "runqueue.h"
#include "type_number.h"

/* A behaviour that sends this many messages (in one call) while an actor
 * waits in runnext is a producer loop: hand that actor to an idle worker rather
 * than keep it waiting for the loop to end. Power of two: a mask test. */
#define SENDS_BEFORE_HANDOFF 64u

/* After this many rounds of SENDS_BEFORE_HANDOFF sends (counted on this
 * worker since the last early end), the running batch ends after the
 * current behaviour: receivers must run to see (and say) that they are
 * behind, or a producer runs a whole batch of bursts past a receiver's
 * limit (overload.h). About one early batch end per 1024 sends. */
#define SEND_ROUNDS_PER_BATCH 16u

/* Children waiting on a worker's own stack (see 2. above): a tree's depth
 * times its fan-out fits (skynet: 6 levels of 10); beyond, the oldest go
 * to the local queue. 512 bytes a worker. */
#define FRESH_SIZE 64u
struct actor;

enum worker_batch_flags {
    WORKER_BATCH_TRACE = 1u << 0,   /* ALOX_TRACE records its runs (trace.h) */
    WORKER_BATCH_TIME = 1u << 1,    /* the next batch is timed (counters.h) */
};

typedef struct worker {
    runqueue queue;           /* first: its head is cache-line aligned */
    runnext_slot runnext;     /* see 1. above; stealable (runnext.h) */
    uint32_t fresh_top, fresh_bottom; /* owner only: free-running indices of `fresh` */
    struct actor *fresh[FRESH_SIZE];  /* owner only: children, run newest first (see 2. above) */
    /* The actor being run, or NULL. Written by the owner only, read by
     * the observer (counters_read) under a grace section. Stored with
     * release and read with acquire (both a plain move on x86): the
     * actor's id and type, which the observer reads through it, were
     * written by its spawner, and only this pair orders those writes
     * before the observer's reads (relaxed was a data race, and TSan
     * saw it). They never change after, and grace keeps the memory. */
    _Atomic(struct actor *) current;
    void *cause;              /* the running remote message's link, or NULL (remote_hooks.h) */
    uint64_t cause_seq;       /* ... and its seq (message.h), while cause is set */
    struct actor *mute_on;    /* an overloaded actor the running behaviour sent to (overload.h) */
    struct actor *watch;      /* the target sampled at the last send round (overload.h), compared only */
    const void *watch_tail;   /* its consumer's cursor then (compared only) */
    uint32_t unconfirmed;     /* sends to `watch` counted since its cursor last moved */
    uint32_t send_rounds;     /* of SENDS_BEFORE_HANDOFF sends, in this batch */
    uint32_t batch_limit;     /* messages this batch may run; 0: end after this behaviour */
    /* Takes to the next injection-queue check (worker.c). Not beside
     * `ticks`: GCC joined the two counts into one SSE add there (7
     * instructions for 2). */
    uint32_t inject_countdown;
    uint32_t index;
    uint32_t rng;             /* victim choice */
    uint32_t ticks;           /* actors taken (the runnext slice, the local-queue check) */
    /* What the next batches do besides running messages (enum
     * worker_batch_flags): tested once at the start of a batch; the end of
     * a timed batch goes through run_actor's branch for unusual batches
     * (batch_limit is BATCH_MESSAGES - 1). Owner only. */
    uint32_t batch_flags;
    uint32_t batches;         /* batches run by worker_main (its quiescent points) */
    uint32_t sample_countdown; /* counters looks to the next timed batch (worker.c) */
    uint32_t sampled_at;      /* `batches` at the last timed batch */
    /* Counted by the owner in plain words (no other thread reads them)
     * and published to its counters at quiescent points and before it
     * looks for work (counters_publish): a batch pays one add, a send
     * the increment it makes anyway for the runnext handoff. */
    uint32_t runs;            /* behaviours run since the last publication */
    uint64_t sends;           /* messages sent by its behaviours */
    uint64_t sends_at_run;    /* `sends` when the running behaviour began */
    uint32_t chain_start;     /* `ticks` at the last take not from runnext (the time slice) */
    uint64_t slice_start;     /* ns: when the current runnext chain was first timed */
    /* A layer's work for right after the running behaviour returns, still
     * inside its actor (the TCP layer's send of what the behaviour wrote:
     * tcp/connection.c), or NULL. Set by the behaviour (worker_after_behaviour),
     * called and cleared by deliver: one test per behaviour. Owner only. */
    void (*after_behaviour)(void);
    bool spinning;            /* counted in scheduler.spinning */
    bool current_stopped;     /* the running actor called alox_stop */
    bool ran_since_park;      /* ran an actor since it last lingered (ALOX_LINGER_US, idle.c) */
    parking park;             /* an idle worker sleeps here (parking.h, scheduler_park) */
    pthread_t thread;
    uint32_t stops_moves;     /* reclaim_pending_moves when `stops` were last published (counters.h) */
    /* Stops of the actors it ran, by type number, since their last
     * publication (counters.h counters_stopped). Owner only; last, out of
     * the lines above (32 KiB, touched only where types stop). */
    uint64_t stops[TYPE_NUMBER_MAX + 1];
} worker;

/* The worker running on this thread, or NULL on other threads. */
extern ALOX_TLS worker *worker_self;

/* Thread entry point of a worker. */
void *worker_main(void *worker_arg);

/* The actor whose behaviour is running on this thread, or NULL. */
struct actor *worker_current_actor(void);

/* Runs one batch of a's messages on w, as a worker does; the caller holds
 * a (its send found the mailbox idle). Afterwards a is idle, or queued on
 * w, or retired. For guests (guest.h). */
void worker_run_batch(worker *w, struct actor *a);

/* Readies a zeroed worker record: index is its place in the scheduler's
 * array (WORKER_GUEST_INDEX: a thread that is not a worker, guest.h, in no
 * array, so nobody steals from it), rng its steal-victim seed (not 0).
 * The scheduler's workers and guests alike (scheduler.c, worker_init_guest). */
#define WORKER_GUEST_INDEX UINT32_MAX
void worker_record_init(worker *w, uint32_t index, uint32_t rng);

/* Readies a worker record for a thread that is not a worker (guest.h),
 * on that thread (its counters are registered). */
void worker_init_guest(worker *w);

/* Slow paths of the two below (worker.c). */
void worker_push_displaced(worker *w, struct actor *displaced);
/* worker_push_displaced, then worker_note_send(w, to): a send's last
 * step in one call (core/mailman.c's fast path ends in it). */
void worker_push_displaced_noted(worker *w, struct actor *displaced, struct actor *to);
/* For idle.c, on w's own thread: a to w's local queue; the injection
 * queue's next actors for w (the rest of what it takes goes local). */
void worker_push_local(worker *w, struct actor *a);
struct actor *worker_take_injected(worker *w);
void worker_hand_off_runnext(worker *w);
/* Moves the runnext actor to the local queue, where other workers can
 * steal it (overload.c, before a sender waits). */
void worker_release_runnext(worker *w);
void worker_send_round(worker *w, struct actor *to);

/* An actor became runnable through a send from this worker: it runs next,
 * and the one it displaces from runnext goes to the stack of children if
 * it never ran, else to the local queue. */
static inline void worker_schedule(worker *w, struct actor *a) {
    struct actor *displaced = runnext_put(&w->runnext, a);
    if (displaced)
        worker_push_displaced(w, displaced);
}

/* fn() runs right after the behaviour running on this thread returns,
 * inside the same actor (one fn at a time: a layer's own, which does all
 * of its deferred work). False outside a behaviour (no worker, or none
 * running): then the caller does the work another way. */
static inline bool worker_after_behaviour(void (*fn)(void)) {
    worker *w = worker_self;
    /* Relaxed: the owner's own store (run_actor). */
    if (!w || !atomic_load_explicit(&w->current, memory_order_relaxed) ||
        (w->after_behaviour && w->after_behaviour != fn))
        return false;
    w->after_behaviour = fn;
    return true;
}

/* The running batch ends after the current behaviour (overload.h, and
 * SEND_ROUNDS_PER_BATCH): the batch loop's own bound, so no extra test. */
static inline void worker_end_batch(worker *w) { w->batch_limit = 0; }

/* Called on every send from a worker (see SENDS_BEFORE_HANDOFF): every
 * SENDS_BEFORE_HANDOFF sends of the worker, worker_send_round looks
 * whether the running behaviour made that many (so a producer loop is
 * seen after 64 to 127 of its sends); `to`, the latest target, is looked
 * at only then (overload_send_round), off the fast path. */
static inline void worker_note_send(worker *w, struct actor *to) {
    if (ALOX_UNLIKELY((++w->sends & (SENDS_BEFORE_HANDOFF - 1)) == 0))
        worker_send_round(w, to);
}

#endif
