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

struct actor;

void actor_drained(struct actor *a);

#endif
