/* guest.c - a thread that is not a worker runs actors; see guest.h. */
#include "guest.h"

#include <stdlib.h>

#include "actor.h"
#include "counters.h"
#include "io.h"
#include "reclaim.h"
#include "scheduler.h"
#include "support/grace.h"
#include "support/platform.h"
#include "trace.h"

/* Batches the guest runs after those handed in: a short local chain (a
 * server actor that asks another and replies) still ends on this thread;
 * a long one goes to the workers after these. */
#define GUEST_CHAIN_BATCHES 16u

/* A guest run longer than this (ns) keeps the guest out for
 * GUEST_BACKOFF_NS: such actors run on workers, and the mailman keeps to
 * its sockets. 1 ms is ~20 remote round trips; 100 ms is half a
 * heartbeat interval (net/transport_internal.h). */
#define GUEST_SLOW_NS 1000000u
#define GUEST_BACKOFF_NS 100000000u

static ALOX_TLS worker *guest_record;
static ALOX_TLS uint64_t guest_out_until; /* ns: back-off after a slow run */

static worker *record(void) {
    if (ALOX_UNLIKELY(guest_record == NULL)) {
        guest_record = calloc(1, sizeof *guest_record);
        if (!guest_record)
            alox_fatal("out of memory for the mailman's run record");
        worker_init_guest(guest_record);
    }
    return guest_record;
}

bool guest_may_run(void) {
    if (ALOX_UNLIKELY(guest_out_until != 0)) {
        if (io_now_ns() < guest_out_until)
            return false;
        guest_out_until = 0;
    }
    return scheduler_all_parked();
}

void guest_thread_exit(void) {
    reclaim_thread_exit(); /* its lists' storage (emptied by every run's reclaim_before_park) */
    free(guest_record);
    guest_record = NULL;
}

void guest_decline(actor *const *actors, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        injectq_push(&the_scheduler.inject, actors[i]);
    if (n)
        scheduler_wake_if_needed();
}

/* What the run left on the record goes to the workers. */
static void hand_back(worker *w) {
    bool any = false;
    actor *next = runnext_take(&w->runnext);
    if (next) {
        injectq_push(&the_scheduler.inject, next);
        any = true;
    }
    for (actor *a; (a = runqueue_pop(&w->queue));) {
        injectq_push(&the_scheduler.inject, a);
        any = true;
    }
    /* Children displaced from runnext wait on the record's stack
     * (worker.h, 2.): a guest run that spawns (an accepting listener)
     * leaves them there, where no worker would ever look. */
    while (w->fresh_top != w->fresh_bottom) {
        injectq_push(&the_scheduler.inject, w->fresh[w->fresh_bottom++ % FRESH_SIZE]);
        any = true;
    }
    if (any)
        scheduler_wake_if_needed();
}

void guest_run(actor *const *actors, uint32_t n) {
    worker *w = record();
    uint64_t start = io_now_ns();
    grace_enter(); /* online for the whole run, as a worker */
    worker_self = w;
    for (uint32_t i = 0; i < n; i++) {
        w->ticks++; /* the counters sample batches by it, as on a worker */
        worker_run_batch(w, actors[i]);
    }
    /* The chain stops at GUEST_SLOW_NS too: a chain of long batches (a
     * behaviour that streams to a peer and sends itself the rest) would
     * otherwise keep the mailman from its sockets for 16 of them, and the
     * peer, hearing nothing, would call this node lost. */
    for (uint32_t k = 0; k < GUEST_CHAIN_BATCHES && runnext_peek(&w->runnext) && !scheduler_stopping() &&
                         io_now_ns() - start <= GUEST_SLOW_NS;
         k++) {
        actor *a = runnext_take(&w->runnext); /* a guest's slot: no thief looks at it */
        w->ticks++;
        worker_run_batch(w, a);
    }
    reclaim_before_park(); /* stopped actors: as a worker about to park */
    counters_guest_done(w->stops, &w->stops_moves, reclaim_pending.count, reclaim_pending_moves);
    trace_idle(); /* the end of its last run (trace.h) */
    hand_back(w);
    worker_self = NULL;
    grace_exit();
    if (ALOX_UNLIKELY(io_now_ns() - start > GUEST_SLOW_NS))
        guest_out_until = io_now_ns() + GUEST_BACKOFF_NS;
}

/* ----- collecting (see guest.h) ------------------------------------------ */

ALOX_TLS guest_collection *guest_collecting;

void guest_collect_begin(guest_collection *c) {
    c->count = 0;
    guest_collecting = c;
}

bool guest_collect(actor *a) {
    guest_collection *c = guest_collecting;
    if (c->count == GUEST_COLLECT_MAX)
        return false;
    if (c->count == 0) {
        /* Relaxed: a hint that spares the lock while some worker is awake
         * (the common case under load). Then the lock: this thread may
         * fire between runs, when `threads` is written (scheduler_run), so
         * the first look is ordered by the lock; guest_collect_end asks
         * again under it before running anything. */
        if (atomic_load_explicit(&the_scheduler.idle, memory_order_relaxed) == 0 || !scheduler_all_parked())
            return false;
        scheduler_hold_remote(1); /* no quiescence while we hold them */
    } else if (!scheduler_all_parked_hint()) { /* a run is going: ordered by the look above */
        return false;
    }
    c->held[c->count++] = a;
    return true;
}

void guest_collect_end(void) {
    guest_collection *c = guest_collecting;
    guest_collecting = NULL; /* the run's own sends go the usual way (worker_self) */
    if (c->count == 0)
        return;
    if (guest_may_run())
        guest_run(c->held, c->count);
    else
        guest_decline(c->held, c->count);
    c->count = 0;
    scheduler_release_remote(1);
}
