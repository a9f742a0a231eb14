/*
 * monitor.h - monitors: alox_monitor_desc and alox_demonitor (alox/abi.h,
 * alox.h). A watcher asks to be told, once, when a target is down:
 * on_down(watcher, target_id, reason) is sent to it when the target stops
 * (ALOX_DOWN_STOPPED, at once if it already has) or its scheduler is lost
 * (ALOX_DOWN_NODE_LOST).
 *
 * How it works (docs/ARCHITECTURE.md, "Monitors"):
 *   - alox_monitor_desc makes a record, keyed by a fresh monitor id, and
 *     sends the target a runtime message, the *registration*. When it runs
 *     on the target, the record joins the target's list; when it meets a
 *     target that has stopped, the worker hands it to monitor_undelivered
 *     instead of dropping it, and the down notice goes out at once. So
 *     "already stopped" and "stopped while the registration was on its
 *     way" are the same path, and the target's state is read only by the
 *     worker that runs it.
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
 *   - Remote targets (proxies): the registration travels to the owner like
 *     any message (its descriptors are in the registry; the watcher
 *     reference crosses the wire as an actor reference), the owner keeps a
 *     record whose watcher is a proxy and sends the notice back. When a
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

/* A runtime message reached a stopped actor `a`. Returns true if it was a
 * monitor's (a registration: its watcher is told "down" now; a notice:
 * the record of a watcher that stopped is freed). When stopped actors give
 * their memory back, a runtime message that arrives after that must still
 * come here (with the pointer it was sent to; only its id is read, and
 * only for a registration from another node), or a watcher waits forever. */
bool monitor_undelivered(struct actor *a, const alox_behaviour_desc *b, const void *args);

/* A registration the network could not deliver (no such actor on this
 * node): the watcher is told the target is down (ALOX_DOWN_STOPPED). */
bool monitor_undeliverable_remote(uint64_t target_id, const alox_behaviour_desc *b, const void *args);

/* A peer session ended: `gone(proxy, ctx)` says whether a proxy belongs to
 * it. Monitors on those proxies fire (ALOX_DOWN_NODE_LOST); records this
 * node keeps for watchers behind them are freed. On the network's thread. */
void monitor_remote_lost(bool (*gone)(struct actor *proxy, void *ctx), void *ctx);

/* The runtime behaviours that cross the wire (inbound.c accepts them for a
 * target of any type; they validate themselves when they run). */
bool monitor_is_wire_behaviour(const alox_behaviour_desc *b);

/* Live monitor records on this node (tests, alox top). */
uint64_t monitor_count(void);

#endif
