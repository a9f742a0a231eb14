/*
 * guest.h - a thread that is not a worker (the mailman) runs the actors
 * it has just made runnable itself, while every worker is parked.
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
 * Thread-safety: guest_* from one thread at a time per record (the guest
 * record is the calling thread's own); the actors given must be held by
 * the caller (see above).
 */
#ifndef ALOX_GUEST_H
#define ALOX_GUEST_H

#include <stdbool.h>
#include <stdint.h>

struct actor;

/* May this thread run actors now? Every worker parked in a running run,
 * and no back-off from a slow guest run (under the scheduler's lock). */
bool guest_may_run(void);

/* Runs one batch of each of the n held actors (and a bounded chain after
 * them), then hands whatever is left to the workers. */
void guest_run(struct actor *const *actors, uint32_t n);

/* Hands held actors to the workers (the injection queue), waking one. */
void guest_decline(struct actor *const *actors, uint32_t n);

#endif
