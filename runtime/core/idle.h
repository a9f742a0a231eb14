/*
 * idle.h - what a worker does once its own sources (run-next, its stack of
 * children, its local queue, the injection queue) are empty, before it
 * parks: it steals from the other workers (half of a local queue, or the
 * run-next actor of a worker stuck in a long batch: runnext.h), spinning
 * a bounded while (at most half of the busy workers spin at once), then
 * lingers if ALOX_LINGER_US asks for it. Apart from worker.c because none
 * of it is on the per-message path: a chain of sends never gets here.
 *
 * Thread-safety: the worker's own thread (worker.c find_work).
 */
#ifndef ALOX_IDLE_H
#define ALOX_IDLE_H

#include "worker.h"

/* Steal rounds, then the linger window: an actor to run, or NULL (park).
 * The worker may be left counted as spinning: idle_stop_spinning. */
struct actor *idle_search(worker *w);

/* The worker found work: it no longer counts as spinning (and wakes
 * another spinner if there may be more). */
void idle_stop_spinning(worker *w);

#endif
