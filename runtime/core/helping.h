/*
 * helping.h - a worker whose behaviour waits inside a send (send_bound.h)
 * runs other actors' batches meanwhile, on its own thread.
 *
 * Why: the actor the behaviour waits for may be in this worker's own
 * run-next slot or queues, where nobody else takes it (with one worker,
 * never; with more, only a thief that is idle). Run there, it catches up
 * while the behaviour waits; the behaviour itself is not interrupted, it
 * is in a call (as a plain thread is, in overload_plain_sent).
 *
 * The rules that keep this a worker's run in every way that matters (as
 * for a guest, guest.h):
 * - One behaviour at a time per actor: only actors this worker holds run
 *   (taken from its own run-next slot, stack of children, local queue or
 *   the injection queue), never the waiting actor (it is running, in no
 *   queue). Every mailbox stays FIFO, so causal order holds.
 * - A helped batch runs with worker_self set to a record of its own (in
 *   no scheduler array, so nothing steals from it): sends, alox_self,
 *   alox_stop, mutes and causes work as on a worker, and the waiting
 *   behaviour's state on its worker record (current, mute_on, its batch's
 *   limit) is untouched. Whatever the batch leaves on that record goes
 *   back to this worker's queues at once.
 * - One level: a helped batch never helps or waits itself (its sends go
 *   on; its actor is muted after its batch as usual), so the stack holds
 *   at most two behaviours.
 * - Memory (support/grace.h): the thread stays online; the helper record
 *   is a guest's (WORKER_GUEST_INDEX), so a helped behaviour's sends take
 *   no quiescent point while the waiting behaviour's pointers live.
 *
 * Thread-safety: a worker's own thread only.
 */
#ifndef ALOX_HELPING_H
#define ALOX_HELPING_H

#include <stdbool.h>

#include "worker.h"

/* Is this thread running a helped batch? */
bool helping_now(void);

/* `target` waits in w's run-next slot: takes it and runs its batches
 * (until it is no longer far behind, or HELP_TARGET_BATCHES); false if
 * it was not there (or a thief took it). */
bool helping_run_target(worker *w, struct actor *target);

/* Runs one batch of the next actor w holds (if that is `target`, as
 * helping_run_target does); false if it holds none. */
bool helping_run_own(worker *w, struct actor *target);

/* The calling worker ends: its helper record goes back. */
void helping_thread_exit(void);

#endif
