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
 * Thread-safety: any thread; io_may_hold_targets is two relaxed loads, and
 * the stop path calls io_actor_stopped only when it says so (a program
 * with no timer and no watch pays no call per stopped actor).
 */
#ifndef ALOX_IO_STOPPED_H
#define ALOX_IO_STOPPED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct actor;

/* The number of pending timers (timers.c) and of watches (watch.c). */
extern _Atomic uint64_t timers_armed_hint, watch_live_hint;

/* Might any timer or watch aim at an actor? Relaxed: the same hints that
 * timers_cancel_target and watch_remove_target test first; a timer armed
 * for the actor by another thread while it stops races its stop as it
 * did before (it fires into a stopped actor: dropped or a dead letter). */
static inline bool io_may_hold_targets(void) {
    return (atomic_load_explicit(&timers_armed_hint, memory_order_relaxed) |
            atomic_load_explicit(&watch_live_hint, memory_order_relaxed)) != 0;
}

void io_actor_stopped(struct actor *a);

#endif
