/*
 * drained.h - the one place where layers learn that an actor is gone.
 *
 * actor_drained(a) is called exactly once per stopped actor, after its
 * stop, after every message that reached it was run or became a dead
 * letter, and just before its memory goes back (reclaim.h). Nothing can
 * reach the actor any more: no thread is inside a send to it. Its header
 * (id, type) and body are still readable here, and only here. Layers that
 * keep per-actor state (monitors, names, exports) release it from this
 * call; it runs on a worker (or on the thread of alox_run after the run),
 * and must not block.
 *
 * (io_stopped.h is the earlier call, right after the stop behaviour, for
 * what must end at once: timers and descriptor watches.)
 *
 * Thread-safety: called on one thread per actor; different actors may be
 * drained on different threads at once.
 */
#ifndef ALOX_DRAINED_H
#define ALOX_DRAINED_H

#include <stdatomic.h>

#include "actor.h"

/* Flags that say a layer may keep state for the actor: a layer that keeps
 * per-actor state and is released from actor_drained adds its flag here,
 * or actor_drained_hinted is never called for an actor with only that
 * state. Most actors have none of them (fork-join: a million), and then
 * the call is saved. */
#define ACTOR_DRAINED_HINTS ((uint32_t)(ACTOR_MONITORED | ACTOR_EXPORTED))

void actor_drained_hinted(struct actor *a);

/* What releases an ACTOR_EXPORTED actor's entries (its export, its
 * published names: net/proxy.c), called from actor_drained. Registered by
 * the layer that sets the flag, before it first sets it, so it works with
 * or without a network (alox_publish alone exports). Any thread; the
 * same function each time. */
void actor_drained_set_exported(void (*release)(struct actor *a));

static inline void actor_drained(struct actor *a) {
    /* Relaxed: each flag's setter is ordered before this call as the
     * callee's own relaxed reads require (see drained.c). */
    if (atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_DRAINED_HINTS)
        actor_drained_hinted(a);
}

#endif
