/*
 * monitor.h - monitors: alox_monitor_desc and alox_demonitor (alox/abi.h,
 * alox.h). A watcher asks to be told, once, when a target is down:
 * on_down(watcher, target_id, reason) is sent to it when the target stops
 * (ALOX_DOWN_STOPPED, at once if it already has) or its scheduler is lost
 * (ALOX_DOWN_NODE_LOST).
 *
 * How it works (docs/ARCHITECTURE.md, "Monitors"):
 *   - alox_monitor_desc makes a record, keyed by a fresh monitor id, and
 *     puts it on a local target's list at once, unless the target has
 *     stopped: the two meet in one atomic word (the target's flags, where
 *     alox_stop sets ACTOR_STOPPED and this sets ACTOR_MONITORED, each
 *     with a read-modify-write), so exactly one side sees the other: this
 *     one fires at once, or the stop point fires the record. (Not a
 *     message to the target: one that met the stop could wait in the
 *     stopped actor's mailbox until its drain, after alox_run returned.)
 *   - monitor_actor_stopped runs once per actor, on its worker, right after
 *     the behaviour that called alox_stop: every monitor on it fires and
 *     every monitor it held as a watcher is cancelled (nothing leaks). It
 *     runs again from actor_drained (drained.h), before the memory goes.
 *   - A target that no longer takes messages is down at once; one whose
 *     memory went back (reclaim.h) is reported with target id 0.
 *   - A fired monitor sends the watcher a runtime message, the *notice*.
 *     When the notice runs on the watcher, the record is looked up and
 *     removed under the lock, and only then is the user's on_down called:
 *     that is what makes delivery exactly once (a second notice, e.g. a
 *     lost node racing a stop, finds nothing) and what makes
 *     alox_demonitor final (a notice already queued finds nothing).
 *   - Remote targets (proxies): the registration travels to the owner as
 *     a message (its descriptors are in the registry; the watcher reference
 *     crosses the wire as an actor reference), which the owner's network
 *     takes on arrival (monitor_far_request): a record whose watcher is a
 *     proxy, put on the target's list the same way, and the notice goes
 *     back when the target stops. When a
 *     peer session ends (lost, or restarted as a new incarnation), the
 *     network calls monitor_remote_lost: monitors of its actors fire with
 *     ALOX_DOWN_NODE_LOST, and records held for its watchers are freed.
 *
 * Monitors are not holds: a monitor alone never keeps alox_run from
 * returning. A target only stops by running a message, and a message is
 * work that keeps the run going by itself; a quiescent program has nothing
 * left that could stop a local target, so waiting for it would wait
 * forever. (A node that serves peers runs until alox_exit anyway.)
 *
 * Thread-safety: every function, any thread. One mutex guards all monitor
 * state; it is never held while a message is sent or a user function runs.
 * monitor_actor_stopped costs one relaxed load for an actor that never had
 * a monitor (ACTOR_MONITORED, actor.h).
 */
#ifndef ALOX_MONITOR_H
#define ALOX_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "alox/abi.h"

struct actor;

/* After the behaviour in which `a` called alox_stop (worker.c). */
void monitor_actor_stopped(struct actor *a);

/* A runtime message reached a stopped actor `a` (its stop batch, or its
 * drain: the header is readable). Returns true if it was a monitor's (a
 * notice: the record of a watcher that stopped is freed). */
bool monitor_undelivered(struct actor *a, const alox_behaviour_desc *b, const void *args);

/* A registration or cancel from another scheduler, for the local actor
 * `a` with id target_id (a NULL: no such actor here; a may have stopped or
 * be gone). On the network's thread, inside grace_enter, on arrival.
 * Returns false if b is neither (deliver it as usual). */
bool monitor_far_request(struct actor *a, uint64_t target_id, const alox_behaviour_desc *b,
                         const void *args);

/* A peer session ended: `gone(proxy, ctx)` says whether a proxy belongs to
 * it. Monitors on those proxies fire (ALOX_DOWN_NODE_LOST); records this
 * node keeps for watchers behind them are freed. On the network's thread. */
void monitor_remote_lost(bool (*gone)(struct actor *proxy, void *ctx), void *ctx);

/* The runtime behaviours that cross the wire (inbound.c accepts them for a
 * target of any type; they validate themselves when they run). */
bool monitor_is_wire_behaviour(const alox_behaviour_desc *b);

/* A registration or a cancel (taken on arrival: monitor_far_request)? */
bool monitor_is_far_request(const alox_behaviour_desc *b);

/* Live monitor records on this node (tests, alox top). */
uint64_t monitor_count(void);

#endif
