/*
 * guest.h - a thread that is not a worker (the mailman, the I/O thread, the timer thread)
 * runs the actors it has just made runnable itself, while every worker is
 * parked.
 *
 * Why: a remote message that arrives while the workers sleep would cost a
 * worker's wake-up (a futex, then a context switch on both sides) before
 * its behaviour runs, and the reply another wake-up of the mailman to
 * reach the socket. When every worker is parked nothing else could run
 * now anyway, so the mailman runs the behaviour on its own thread and the
 * reply goes out in the same turn of its loop (docs/ARCHITECTURE.md, "One
 * remote send").
 *
 * The rules that keep this a worker's run in every way that matters:
 * - One behaviour at a time per actor: the guest runs only actors whose
 *   mailbox it found idle on its own push (so nobody else can hold them),
 *   exactly as a worker holds what it takes from a queue.
 * - The guest is a worker while it runs (worker_self is its own record,
 *   in no scheduler array, so nothing steals from it): sends, alox_self,
 *   alox_stop, causes (remote_hooks.h), backpressure work as on a worker,
 *   and alox_await refuses as on a worker.
 * - Memory (support/grace.h): the guest is online for the whole run and
 *   stopped actors go through reclaim_before_park afterwards, as a worker
 *   about to park.
 * - Termination: the caller holds a remote hold (scheduler_hold_remote)
 *   from before the actors became runnable until guest_run returned, so
 *   no moment of quiescence is seen while the guest holds them.
 * - Bounded: one batch for each actor handed in, then at most
 *   GUEST_CHAIN_BATCHES more of what those sends made runnable; whatever
 *   is left (an actor with more messages, anything scheduled) goes to the
 *   injection queue and a worker is woken. A behaviour that runs long
 *   still delays the guest's other duties (the mailman's heartbeats) for
 *   its length: after a run longer than GUEST_SLOW_NS the guest stays out
 *   for GUEST_BACKOFF_NS.
 *
 * Collecting (guest_collect_begin / _end): the timer thread wraps its
 * firings, and the I/O thread its readiness messages, in a collection
 * (core/io.c). An
 * actor that one of its sends makes runnable (scheduler_inject) while every
 * worker is parked is held in the collection instead of going to the
 * injection queue, and at the end runs here as above: a timer or a
 * readiness message that finds the workers asleep costs no futex wake
 * (a sleeping vCPU's wake-up is 50-100 us before the behaviour runs). The
 * collection takes a remote hold with its first actor and gives it back
 * at the end, so no moment of quiescence is seen meanwhile.
 *
 * Thread-safety: guest_* from one thread at a time per record (the guest
 * record is the calling thread's own); the actors given must be held by
 * the caller (see above).
 */
#ifndef ALOX_GUEST_H
#define ALOX_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "support/platform.h"

struct actor;

/* May this thread run actors now? Every worker parked in a running run,
 * and no back-off from a slow guest run (under the scheduler's lock). */
bool guest_may_run(void);

/* Runs one batch of each of the n held actors (and a bounded chain after
 * them), then hands whatever is left to the workers. */
void guest_run(struct actor *const *actors, uint32_t n);

/* The calling thread ends: its run record goes back (empty after every
 * guest_run). */
void guest_thread_exit(void);

/* Hands held actors to the workers (the injection queue), waking one. */
void guest_decline(struct actor *const *actors, uint32_t n);

/* Actors a collection holds at most; beyond, they go to the workers. */
#define GUEST_COLLECT_MAX 16u

typedef struct guest_collection {
    struct actor *held[GUEST_COLLECT_MAX];
    uint32_t count;
} guest_collection;

/* The calling thread's open collection, or NULL (scheduler_inject looks). */
extern ALOX_TLS guest_collection *guest_collecting;

/* Opens a collection on this thread (not a worker; none open already). */
void guest_collect_begin(guest_collection *c);

/* From scheduler_inject: a (made runnable by this thread's push, so held
 * by us) is taken into the open collection, if every worker is parked
 * and there is room; false: the caller injects it. */
bool guest_collect(struct actor *a);

/* Closes the collection: what it holds runs here (guest_run) if the
 * workers still sleep, else goes to them. */
void guest_collect_end(void);

#endif
