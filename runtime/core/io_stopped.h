/*
 * io_stopped.h - what timers and descriptor watches do when an actor stops.
 *
 * The core calls io_actor_stopped once per actor, on the worker that ran
 * the behaviour in which it called alox_stop, right after that behaviour
 * (worker.c, run_actor): its pending timers are cancelled (their holds
 * released) and its descriptors unwatched (the layer that registered a
 * watch with a release function is told, e.g. the TCP layer closes the
 * socket). When the lifetime work provides one place where layers are
 * told that an actor stopped, this is the call to put there.
 *
 * Thread-safety: any thread; cheap (two relaxed loads) when the program has
 * no timer and no watch.
 */
#ifndef ALOX_IO_STOPPED_H
#define ALOX_IO_STOPPED_H

struct actor;

void io_actor_stopped(struct actor *a);

#endif
