/*
 * remote_hooks.h - everything the one-process core knows of distribution.
 *
 * The core (mailboxes, workers, the scheduler, the local send path) runs a
 * whole program on its own. Distribution lives above it, in net/, and the
 * core meets it at exactly four points, all declared here or named here:
 *
 *   1. a proxy flag on the actor header (ACTOR_PROXY, actor.h): an actor
 *      that stands for one of another scheduler. alox_send hands its
 *      messages to `send` below instead of a mailbox, and asks
 *      `proxy_lost` whether its session has ended (a monitor on it is down
 *      at once, monitor.h). The header's `remote` field is the network
 *      layer's own; the core never reads it;
 *   2. remote messages (message.h, MESSAGE_REMOTE_TAG): messages that came
 *      from the network. After a worker runs one it calls `processed`, so
 *      the sender may be told (the network's acknowledgement);
 *   3. holds (scheduler.h: scheduler_hold_remote / scheduler_release_remote):
 *      a message in flight to another scheduler keeps alox_run from
 *      returning, like an alox_hold;
 *   4. running until exit (scheduler.h: scheduler_run_until_exit): a node
 *      that serves others never runs out of work on its own;
 *   5. causes (worker.h: worker->cause): while a worker runs a remote
 *      message, the message's `link` is the *cause* of every local send
 *      the behaviour makes. Such a send makes a remote-form message that
 *      carries the cause (message.h) and calls `caused`; running it makes
 *      it the cause in turn, and `processed` is called after it as after
 *      any remote message. So the network layer acknowledges a message
 *      only when the local work it caused has run too (Dijkstra-Scholten
 *      inside the node): a client never sees quiescence before the reply
 *      of a forward-then-reply. A worker running a local message has no
 *      cause: the fast path pays one predictable branch.
 *
 * Without distribution the hooks stay NULL, no proxy exists, no remote
 * message is ever made, and no network thread or socket is started.
 *
 * Thread-safety: remote_hooks_install once, from alox_init, before any
 * worker runs (thread creation orders it before every read); the hooks
 * are then read by any thread.
 */
#ifndef ALOX_REMOTE_HOOKS_H
#define ALOX_REMOTE_HOOKS_H

#include <stdbool.h>

#include "alox/abi.h"

struct actor;
struct remote_message;

typedef struct remote_hooks {
    /* alox_send to a proxy, on the sender's thread: queue the message for
     * the scheduler that owns the actor (or dead-letter it). Must not block. */
    void (*send)(struct actor *proxy, const alox_behaviour_desc *behaviour, const void *args);
    /* A worker has run (or dead-lettered) a message that came from the
     * network; the message is freed by the core afterwards. */
    void (*processed)(struct remote_message *m);
    /* Any thread: has the session this proxy belongs to ended (its node
     * lost or restarted)? Monitors (monitor.h) fire at once on such a proxy. */
    bool (*proxy_lost)(struct actor *proxy);
    /* A worker running because of `cause` made a local message that carries
     * it: the cause must wait for that message too. Must not block. */
    void (*caused)(void *cause);
} remote_hooks;

/* All NULL until the network layer installs its hooks. */
extern remote_hooks core_remote_hooks;

void remote_hooks_install(const remote_hooks *hooks);

#endif
