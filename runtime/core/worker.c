/* worker.c - the worker loop; see worker.h for where work is looked for. */
#include "worker.h"

#include <stddef.h>

#include "actor.h"
#include "counters.h"
#include "io.h"
#include "idle.h"
#include "io_stopped.h"
#include "mailman.h"
#include "reclaim.h"
#include "message.h"
#include "monitor.h"
#include "overload.h"
#include "remote_hooks.h"
#include "scheduler.h"
#include "support/dead_letter.h"
#include "support/grace.h"
#include "support/pool.h"
#include "trace.h"

/* Messages an actor may handle before the worker moves on (fairness);
 * large enough that the per-batch cost (one CAS) disappears, small enough
 * that a busy actor cannot hold a core for long. */
#define BATCH_MESSAGES 100

/* Check the injection queue before the local queue every this many actors,
 * so actors made runnable from outside are not starved by local work. */
#define INJECT_CHECK_INTERVAL 61u

/* An endless chain of sends through runnext (ping-pong) would starve the
 * actors in this worker's local queue: after this long (ns) the chain is
 * requeued behind them (Go gives runnext the rest of a time slice the same
 * way). 2 ms: far above a batch, far below what a user notices. */
#define RUNNEXT_SLICE_NS 2000000u

/* The clock is read once every this many runnext takes (a power of two):
 * a chain link costs ~15 ns, a clock read ~20 ns. */
#define RUNNEXT_CLOCK_EVERY 64u

/* While children wait on the stack (worker.h), the local queue still goes
 * first every this many actors: a tree that keeps spawning cannot starve
 * the actors waiting there. Prime, like INJECT_CHECK_INTERVAL, so the two
 * checks seldom fall on the same take. */
#define LOCAL_CHECK_INTERVAL 31u

/* The counters look every this many batches (a multiple of
 * RECLAIM_QUIESCENT_BATCHES, a power of two): the worker publishes its
 * counts and counts down to its next timed batch. 256: a look costs ~15
 * instructions, and ~35 more when actors stopped (the per-type stops):
 * at 64 that was ~2 instructions an actor in fork-join and skynet, a
 * fifth of what the counters cost there; a snapshot of a busy worker is
 * at most 256 batches behind (it also publishes before it looks for
 * work, so an idle one is exact). */
#define COUNTERS_LOOK_BATCHES 256u

#define S the_scheduler

ALOX_TLS worker *worker_self;

/* Relaxed: the owner's own word (see worker.h). */
actor *worker_current_actor(void) {
    return worker_self ? atomic_load_explicit(&worker_self->current, memory_order_relaxed) : NULL;
}

/* What the actors that run before one pushed to w's local queue now may
 * send it meanwhile (overload_queued): a batch each, one send per
 * behaviour, from those ahead of it here, as many on each other worker
 * meanwhile, and this worker's share of the injection queue. */
static uint32_t growth_ahead(worker *w) {
    uint64_t ahead = runqueue_size(&w->queue) + injectq_size(&S.inject) / S.threads;
    uint64_t growth = ahead * S.threads * BATCH_MESSAGES;
    return growth < UINT32_MAX ? (uint32_t)growth : UINT32_MAX;
}

/* A full local queue sends half of itself and the actor to the injection
 * queue, so bursts spread to other workers. Out of line, so enqueue's
 * common path saves no registers and keeps no 1 KiB array on the stack
 * (fork-join: ~20 instructions a push). */
static __attribute__((noinline)) void enqueue_overflow(worker *w, actor *a) {
    actor *moved[RUNQUEUE_SIZE / 2 + 1];
    uint32_t n = runqueue_pop_many(&w->queue, moved, RUNQUEUE_SIZE / 2);
    moved[n++] = a;
    /* Behind the whole injection queue now, which every worker takes from. */
    uint64_t behind = (uint64_t)(injectq_size(&S.inject) + n) * BATCH_MESSAGES;
    for (uint32_t i = 0; i < n; i++)
        if (ALOX_UNLIKELY(moved[i]->overload != NULL))
            overload_queued(moved[i], behind < UINT32_MAX ? (uint32_t)behind : UINT32_MAX);
    injectq_push_many(&S.inject, moved, n);
}

static __attribute__((noinline)) void flag_queued(worker *w, actor *a) {
    overload_queued(a, growth_ahead(w));
}

/* Appends to the local queue (enqueue_overflow when it is full). An actor
 * with a backlog record may be flagged first (overload.h: queued behind
 * its senders); only one more than a batch behind has one. */
static inline void enqueue(worker *w, actor *a, bool may_flag) {
    if (ALOX_UNLIKELY(a->overload != NULL) && may_flag)
        flag_queued(w, a);
    if (ALOX_UNLIKELY(!runqueue_push(&w->queue, a)))
        enqueue_overflow(w, a);
}

void worker_push_local(worker *w, actor *a) { enqueue(w, a, true); }

/* Moves the runnext actor where an idle worker can steal it, and wakes one. */
void worker_hand_off_runnext(worker *w) {
    if (atomic_load_explicit(&S.idle, memory_order_relaxed) == 0)
        return; /* nobody to hand it to: keep the locality */
    actor *a = runnext_take(&w->runnext);
    if (!a)
        return; /* a thief took it */
    worker_push_local(w, a);
    scheduler_wake_if_needed();
}

/* A quiescent point inside a long behaviour (a producer's loop of sends):
 * without it the other workers' stopped actors wait for the loop's end
 * (fork-join's driver sends a million in one behaviour: its peer's
 * million stopped actors piled up, freed cold, 8 MB of pending list). The
 * worker then holds no actor pointer that may be freed: the running actor
 * is retired only after its batch, scheduled actors are not stopped, the
 * last send's target (`to`) was used up by overload_send_round, and the
 * one pointer kept across sends, mute_on, skips the point. Not on a guest
 * (guest.h): its thread may be inside a grace section of its own. */
static void send_round_quiescent(worker *w) {
    if (w->mute_on == NULL && w->index != WORKER_GUEST_INDEX && grace_mine->depth == 1)
        grace_quiescent();
}

void worker_send_round(worker *w, actor *to) {
    if (w->sends - w->sends_at_run < SENDS_BEFORE_HANDOFF)
        return; /* 64 sends of the worker, not of one behaviour */
    if (++w->send_rounds >= SEND_ROUNDS_PER_BATCH)
        worker_end_batch(w);
    if (runnext_peek(&w->runnext))
        worker_hand_off_runnext(w);
    overload_send_round(w, to);
    send_round_quiescent(w);
}

void worker_release_runnext(worker *w) {
    actor *a = runnext_take(&w->runnext);
    if (a)
        worker_push_local(w, a);
}

static uint32_t fresh_count(const worker *w) { return w->fresh_top - w->fresh_bottom; }

static actor *pop_fresh(worker *w) { return w->fresh[--w->fresh_top % FRESH_SIZE]; }

/* A child goes on the stack. The oldest leaves it for the local queue when
 * the stack is full, or when a worker is idle: there a thief finds it, the
 * root of the largest subtree (work-first stealing, as in Cilk). Always
 * inlined into push_displaced's two copies (a send displaces an actor
 * about once per fork-join actor). */
/* True if a worker is to be woken (the caller does it, last). */
static inline __attribute__((always_inline)) bool push_fresh(worker *w, actor *a) {
    w->fresh[w->fresh_top++ % FRESH_SIZE] = a;
    /* Relaxed: a hint. A worker that parks without being seen here is
     * woken by the next push to a queue; the child itself is not lost. */
    if (fresh_count(w) <= FRESH_SIZE - 1 &&
        (atomic_load_explicit(&S.idle, memory_order_relaxed) == 0 || runqueue_size(&w->queue) > 0))
        return false; /* nobody waits, or a thief finds something already */
    worker_push_local(w, w->fresh[w->fresh_bottom++ % FRESH_SIZE]);
    return true;
}

/* True if a worker is to be woken (the caller does it, last). */
static inline bool push_displaced(worker *w, actor *displaced) {
    /* Relaxed: ACTOR_FRESH is cleared only by the worker that first runs
     * the actor, and this one holds it runnable (in runnext) until now. */
    if (atomic_load_explicit(&displaced->flags, memory_order_relaxed) & ACTOR_FRESH)
        return push_fresh(w, displaced);
    worker_push_local(w, displaced);
    return true;
}

void worker_push_displaced(worker *w, actor *displaced) {
    if (push_displaced(w, displaced))
        scheduler_wake_if_needed();
}

/* The wake last, after the send is counted: a tail call, so the common
 * path (fork-join: a child to the stack, the oldest to the local queue)
 * keeps no frame across it. */
void worker_push_displaced_noted(worker *w, actor *displaced, actor *to) {
    bool wake = push_displaced(w, displaced);
    worker_note_send(w, to);
    if (wake)
        scheduler_wake_if_needed();
}

static bool any_backlog_record(actor *const *actors, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (ALOX_UNLIKELY(actors[i]->overload != NULL))
            return true;
    return false;
}

actor *worker_take_injected(worker *w) {
    actor *batch[32];
    uint32_t want = injectq_size(&S.inject) / S.threads + 1;
    uint32_t n = injectq_pop(&S.inject, batch, want < 32 ? want : 32);
    uint32_t i = 1;
    /* The rest go local in one push (fork-join takes most of its actors
     * back from the injection queue: ~10 instructions an actor less),
     * unless one has a backlog record: enqueue flags it first. */
    if (n > 1 && !any_backlog_record(batch + 1, n - 1))
        i += runqueue_push_many(&w->queue, batch + 1, n - 1);
    for (; i < n; i++)
        worker_push_local(w, batch[i]);
    return n ? batch[0] : NULL;
}

/* Every RUNNEXT_CLOCK_EVERY takes while a runnext chain runs (ticks since
 * the last take from elsewhere): has it had its slice? Then it goes
 * behind the local queue. */
static actor *check_slice(worker *w, actor *a) {
    uint64_t now = io_now_ns();
    if (w->ticks - w->chain_start <= RUNNEXT_CLOCK_EVERY) { /* the first look starts the slice */
        w->slice_start = now;
        return a;
    }
    bool queued = runqueue_size(&w->queue) > 0;
    if (now - w->slice_start < RUNNEXT_SLICE_NS || (!queued && fresh_count(w) == 0))
        return a;
    w->chain_start = w->ticks;
    worker_push_local(w, a);
    return queued ? runqueue_pop(&w->queue) : pop_fresh(w);
}

/* The local-queue check (LOCAL_CHECK_INTERVAL) took `a`. A child that has
 * never run is there only because push_fresh offered it to an idle thief:
 * the root of the largest subtree waiting. Run by its owner now, ahead of
 * the subtree being unfolded, it starts a second tree beside the first,
 * and a thief that is slow to wake (a loaded machine) lets that happen
 * every 31 takes: skynet with two workers then had 15,000-22,000 actors
 * alive at once instead of ~100, scattered over pages that could not go
 * back (peak RSS 30 MB against 11). So it goes back to the bottom of the
 * stack, where it came from, and the stack's top runs; the actors queued
 * behind it (those the check is for) come first at the next check, and
 * push_fresh offers it again while a worker is idle. */
static bool give_back_offered(worker *w, actor *a) {
    /* Relaxed: see worker_push_displaced (only a first run clears it, and
     * this worker holds the actor). */
    if (!(atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_FRESH) || fresh_count(w) == FRESH_SIZE)
        return false;
    w->fresh[--w->fresh_bottom % FRESH_SIZE] = a;
    return true;
}

static actor *take_local(worker *w) {
    ++w->ticks;
    /* A countdown, not ticks % INJECT_CHECK_INTERVAL: a subtraction and a
     * branch where the modulo took a multiply and a compare, twice per
     * fork-join actor. */
    if (ALOX_UNLIKELY(--w->inject_countdown == 0)) {
        w->inject_countdown = INJECT_CHECK_INTERVAL;
        actor *a = worker_take_injected(w);
        if (a)
            return a;
    }
    actor *a = runnext_take(&w->runnext);
    if (a) {
        if (ALOX_UNLIKELY((w->ticks & (RUNNEXT_CLOCK_EVERY - 1)) == 0))
            a = check_slice(w, a);
        return a;
    }
    w->chain_start = w->ticks;
    if (fresh_count(w) > 0) {
        if (w->ticks % LOCAL_CHECK_INTERVAL == 0 && (a = runqueue_pop(&w->queue)) && !give_back_offered(w, a))
            return a;
        return pop_fresh(w);
    }
    return runqueue_pop(&w->queue);
}

static actor *find_work(worker *w) {
    while (!scheduler_stopping()) {
        actor *a = take_local(w);
        if (!a)
            a = worker_take_injected(w);
        if (a)
            return a;
        counters_publish(&w->runs, w->sends, w->stops, &w->stops_moves, reclaim_pending.count, reclaim_pending_moves);
        counters_idle_begin();
        if (ALOX_UNLIKELY(w->batch_flags & WORKER_BATCH_TRACE))
            trace_idle(); /* the end of its last run (trace.h) */
        /* No actor pointer is held here: a spinning worker holds no
         * grace period up (the others' stopped actors wait for it). */
        grace_quiescent();
        a = idle_search(w);
        if (a) {
            idle_stop_spinning(w);
            counters_idle_end();
            return a;
        }
        reclaim_before_park();
        if (runnext_peek(&w->runnext) || fresh_count(w) > 0 || runqueue_size(&w->queue) > 0) { /* freeing sent something */
            counters_idle_end();
            continue;
        }
        counters_parked();
        pool_trim_if_due(); /* a drained burst's messages go back (pool.h) */
        grace_exit(); /* offline while parked: no grace period waits for us */
        bool keep_going = scheduler_park(w);
        grace_enter();
        if (!keep_going)
            return NULL;
        counters_idle_end();
    }
    return NULL;
}

/* Senders an actor released by catching up (overload.h): runnable again. */
static bool queue_released(worker *w, actor *released) {
    if (!released)
        return false;
    while (released) {
        actor *next = released->next_runnable; /* push_local may relink it */
        released->next_runnable = NULL;
        enqueue(w, released, false); /* a sender: it has just been paused */
        released = next;
    }
    scheduler_wake_if_needed();
    return true;
}

static void free_retired(mailbox_node *retired) {
    if (retired)
        message_free(message_of(retired));
}

/* A behaviour run recorded for ALOX_TRACE (trace.h). */
static void run_traced(actor *a, message *m, const alox_behaviour_desc *b) {
    uint64_t flow = message_is_remote(m) ? ((remote_message *)m)->trace : (uintptr_t)m;
    trace_ring *r = trace_run_begin(flow, a->id, b);
    b->trampoline(actor_body(a), message_args(m));
    trace_run_end(r);
}

static inline __attribute__((always_inline)) void deliver(worker *w, actor *a, message *m,
                                                          bool traced) {
    const alox_behaviour_desc *b = message_behaviour(m);
    bool remote = message_is_remote(m);
    w->sends_at_run = w->sends; /* for the runnext handoff */
    if (ALOX_UNLIKELY(remote)) {
        w->cause = ((remote_message *)m)->link; /* what this behaviour sends waits on */
        w->cause_seq = ((remote_message *)m)->seq; /* ... and what they prove ran */
    }
    if (ALOX_UNLIKELY(w->current_stopped)) {
        if (!behaviour_is_runtime(b)) /* see mailman_send_runtime */
            dead_letter_report(ALOX_DEAD_STOPPED, a->id, b, message_args(m));
        else
            monitor_undelivered(a, b, message_args(m)); /* a monitor's: its record goes */
    } else if (traced)
        run_traced(a, m, b);
    else
        b->trampoline(actor_body(a), message_args(m));
    if (ALOX_UNLIKELY(w->after_behaviour != NULL)) {
        void (*after)(void) = w->after_behaviour;
        w->after_behaviour = NULL;
        after();
    }
    if (ALOX_UNLIKELY(remote)) {
        w->cause = NULL;
        core_remote_hooks.processed((remote_message *)m); /* the sender may now forget it */
    }
}

/* The batch's messages, up to batch_limit: true if the mailbox ran dry.
 * Inlined twice, traced a constant: the common loop tests no trace flag. */
static inline __attribute__((always_inline)) bool run_messages(worker *w, actor *a,
                                                               mailbox_node **cursor,
                                                               uint32_t *handled, bool traced) {
    mailbox_node *retired;
    while (*handled < w->batch_limit && !scheduler_stopping()) {
        mailbox_node *node = mailbox_batch_pop(&a->box, cursor, &retired);
        free_retired(retired);
        if (!node)
            return true;
        deliver(w, a, message_of(node), traced);
        ++*handled;
        if (runnext_peek(&w->runnext) && mailbox_batch_has_next(*cursor))
            worker_hand_off_runnext(w);
    }
    return false;
}

/* The next batch is timed for the counters (decided every
 * COUNTERS_LOOK_BATCHES batches, worker_main): its end goes through run_actor's branch for unusual
 * batches (batch_limit is not BATCH_MESSAGES), so the common batch pays
 * nothing for it. */
static __attribute__((noinline, cold)) void time_next_batch(worker *w) {
    /* The next looks come up to a look's batches early: a workload with a
     * period of COUNTERS_LOOK_BATCHES is not always timed at one place in
     * it (and a look may time the batch after it when the period is one
     * look: counters_sample_distance). */
    uint32_t advance;
    w->sample_countdown = counters_sample_distance(COUNTERS_LOOK_BATCHES, &advance);
    w->batches += advance;
    w->sampled_at += advance; /* batches - sampled_at: batches since the last timed one */
    w->batch_flags |= WORKER_BATCH_TIME;
    if (w->batch_limit == BATCH_MESSAGES)
        w->batch_limit = BATCH_MESSAGES - 1;
}

/* Every COUNTERS_LOOK_BATCHES batches (worker_main). */
static inline void look_at_counters(worker *w) {
    counters_publish(&w->runs, w->sends, w->stops, &w->stops_moves, reclaim_pending.count, reclaim_pending_moves);
    if (ALOX_UNLIKELY(counters_time_next(&w->sample_countdown)))
        time_next_batch(w);
}

/* The start of a timed batch (time_next_batch). */
static __attribute__((noinline, cold)) void begin_timed(void) { counters_sample_begin(); }

/* The end of a timed batch (time_next_batch). */
static __attribute__((noinline, cold)) void end_timed(worker *w, actor *a, uint32_t flags,
                                                      uint32_t handled) {
    w->batch_flags &= ~(uint32_t)WORKER_BATCH_TIME;
    counters_sample_end(a->type, actor_flags_type_number(flags), handled, w->batches - w->sampled_at);
    w->sampled_at = w->batches;
}

/* The batch in which `a` stopped is over. Each layer that may keep state
 * for it is called only if a hint says it does: most actors have no
 * timer, watch, monitor or backlog record, and skynet stops a million
 * (these calls were ~34 of its ~970 instructions per actor). */
static void stop_hooks(worker *w, actor *a) {
    if (ALOX_UNLIKELY(io_may_hold_targets()))
        io_actor_stopped(a); /* its last behaviour has run: timers, watches */
    /* Relaxed: monitor_actor_stopped tests the same bit the same way (and
     * says why that suffices); this only saves the call. */
    if (ALOX_UNLIKELY(atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_MONITORED))
        monitor_actor_stopped(a); /* its watchers are told; its own monitors end */
    if (ALOX_UNLIKELY(a->overload != NULL)) /* only this worker sets it while a runs */
        queue_released(w, overload_actor_stopped(a)); /* its senders run on */
}

/* Runs up to BATCH_MESSAGES of a's messages. Afterwards the actor is either
 * idle (its mailbox marked) or queued again: never both, never neither.
 * The actor header is read once here and written once at the end (see
 * mailbox_batch_begin): senders on other cores own its line meanwhile. */
static void run_actor(worker *w, actor *a) {
    mailbox_node *retired;
    mailbox_node *cursor = mailbox_batch_begin(&a->box);
    uint32_t handled = 0;
    bool traced = false;
    /* Release: see worker.h (the observer reads it under grace). */
    atomic_store_explicit(&w->current, a, memory_order_release);
    /* Tested inline, not in a call: a traced program has its flag on
     * every batch (the call was 8 instructions a traced ping-pong message). */
    uint32_t batch_flags = w->batch_flags;
    if (ALOX_UNLIKELY(batch_flags != 0)) {
        if (ALOX_UNLIKELY(batch_flags & WORKER_BATCH_TIME))
            begin_timed();
        traced = (batch_flags & WORKER_BATCH_TRACE) != 0;
    }
    /* Relaxed: the flag is only written by the worker running the actor
     * (alox_stop, which also sets current_stopped while it runs). */
    uint32_t flags = atomic_load_explicit(&a->flags, memory_order_relaxed);
    /* Its first run: from now on a sender queues it FIFO. Relaxed: the
     * next worker to read the flag made it runnable by a push whose
     * exchange acquires our mark_idle (or retire) after this. */
    if (ALOX_UNLIKELY(flags & ACTOR_FRESH))
        atomic_fetch_and_explicit(&a->flags, ~(uint32_t)ACTOR_FRESH, memory_order_relaxed);
    w->current_stopped = (flags & ACTOR_STOPPED) != 0;
    bool stopped_before = w->current_stopped;
    bool drained = ALOX_UNLIKELY(traced) ? run_messages(w, a, &cursor, &handled, true)
                                         : run_messages(w, a, &cursor, &handled, false);
    mailbox_batch_end(&a->box, cursor);
    atomic_store_explicit(&w->current, NULL, memory_order_relaxed);
    counters_ran(&w->runs, handled);
    actor *mute_on = NULL;
    if (ALOX_UNLIKELY(w->batch_limit != BATCH_MESSAGES)) {
        if (w->batch_flags & WORKER_BATCH_TIME)
            end_timed(w, a, flags, handled);
        if (w->batch_limit == 0) {
            /* It sent to an overloaded actor, or sent a lot: receivers run. */
            /* Rounds count on across batches until one ends a batch: a batch
             * then ends early once per SEND_ROUNDS_PER_BATCH rounds of sends. */
            mute_on = w->mute_on;
            w->mute_on = NULL;
            w->send_rounds = 0;
        }
        w->batch_limit = BATCH_MESSAGES;
    }
    if (ALOX_UNLIKELY(w->current_stopped)) {
        if (!stopped_before) {
            /* Counted here, once, not in alox_stop: the type number is in
             * `flags`, loaded at the batch's start (it never changes);
             * widened before the shift, so the index needs no extension. */
            counters_stopped(w->stops, a, actor_flags_type_number(flags));
            stop_hooks(w, a);
        }
        /* Its mailbox stays busy, so no send schedules it again; what is
         * left in it becomes dead letters when its memory goes (reclaim.h). */
        reclaim_retire(a);
        return;
    }
    if (scheduler_stopping()) {
        injectq_push(&S.inject, a); /* stays scheduled for the next alox_run */
        return;
    }
    if (ALOX_UNLIKELY(mute_on != NULL) && !drained && !mailbox_batch_has_next(cursor))
        drained = true; /* nothing more to run: nothing to pause */
    bool pressing = false;
    if (ALOX_UNLIKELY(!drained || a->overload != NULL)) {
        pressing = queue_released(w, overload_batch_end(a, cursor, handled,
                                                        drained && mailbox_batch_empty(&a->box, cursor),
                                                        &pressing)) || pressing;
        /* The backlog record may have been made after mailbox_batch_end
         * announced this batch: announce it too, or a program built with
         * TSan saw the next batch, on another worker, free it "racing"
         * (support/tsan.h; clang.tsan.clean). */
        tsan_release(&a->box);
    }
    if (drained && mailbox_mark_idle(&a->box, &retired)) {
        free_retired(retired);
        return;
    }
    if (ALOX_UNLIKELY(mute_on != NULL) && overload_mute(a, mute_on))
        return; /* waits in mute_on's list, its mailbox still marked busy */
    if (!drained) /* a full batch: one test more per BATCH_MESSAGES behaviours */
        counters_backlogged(a->type, a->id, cursor);
    if (ALOX_UNLIKELY(pressing)) {
        /* Far behind, or it just released its senders: it runs on next,
         * so its senders find its flag fresh (set at the end of its
         * batches); they wait in the local queue, where idle workers take
         * them. The run-next time slice keeps this from starving them. */
        worker_schedule(w, a);
        return;
    }
    worker_push_local(w, a);
    scheduler_wake_if_needed();
}

void worker_run_batch(worker *w, actor *a) { run_actor(w, a); }

void worker_record_init(worker *w, uint32_t index, uint32_t rng) {
    runqueue_init(&w->queue);
    w->batch_limit = BATCH_MESSAGES;
    w->inject_countdown = INJECT_CHECK_INTERVAL;
    w->index = index;
    w->rng = rng;
}

void worker_init_guest(worker *w) {
    counters_thread_register(); /* it counts its batches' stops */
    worker_record_init(w, WORKER_GUEST_INDEX, 1);
    if (trace_enabled())
        w->batch_flags = WORKER_BATCH_TRACE;
}

/* On exit, everything this worker held goes to the injection queue, so a
 * later alox_run continues where this one stopped. */
static void hand_back_all(worker *w) {
    actor *next = runnext_take(&w->runnext);
    if (next)
        injectq_push(&S.inject, next);
    while (fresh_count(w) > 0)
        injectq_push(&S.inject, w->fresh[w->fresh_bottom++ % FRESH_SIZE]);
    for (actor *a; (a = runqueue_pop(&w->queue));)
        injectq_push(&S.inject, a);
}

void *worker_main(void *worker_arg) {
    worker *w = worker_arg;
    worker_self = w;
    w->batch_limit = BATCH_MESSAGES;
    w->inject_countdown = INJECT_CHECK_INTERVAL;
    counters_worker_begin(w);
    uint32_t advance;
    w->sample_countdown = counters_sample_distance(COUNTERS_LOOK_BATCHES, &advance);
    w->batches = w->sampled_at = advance;
    w->batch_flags = 0;
    trace_worker_begin(w->index);
    if (trace_enabled())
        w->batch_flags = WORKER_BATCH_TRACE;
    grace_enter(); /* online: see support/grace.h */
    for (actor *a; (a = find_work(w));) {
        w->ran_since_park = true;
        run_actor(w, a);
        /* No actor pointer is held across this point: a quiescent point,
         * announced every RECLAIM_QUIESCENT_BATCHES batches (reclaim.h). */
        runnext_progress(&w->runnext, ++w->batches); /* thieves watch it move (runnext.h) */
        if (ALOX_UNLIKELY((w->batches & (RECLAIM_QUIESCENT_BATCHES - 1)) == 0)) {
            if ((w->batches & (COUNTERS_LOOK_BATCHES - 1)) == 0)
                look_at_counters(w);
            reclaim_quiescent();
        }
    }
    reclaim_before_park(); /* first: what freeing sends lands in runnext, handed back below */
    hand_back_all(w);
    reclaim_thread_exit();
    grace_exit();
    counters_publish(&w->runs, w->sends, w->stops, &w->stops_moves, reclaim_pending.count, reclaim_pending_moves);
    counters_worker_end();
    trace_idle();
    worker_self = NULL;
    return NULL;
}
