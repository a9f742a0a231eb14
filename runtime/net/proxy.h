/*
 * proxy.h - the tables that let actor references cross the wire.
 *
 *   exports:  id -> local actor, for every local actor whose reference was
 *             sent to another scheduler (or published), so a message that
 *             arrives for that id finds it;
 *   proxies:  (id, type) -> proxy, one proxy per remote actor and type, so
 *             a remote actor has one local pointer (pointer equality and
 *             per-pair order hold as for local actors). The type is the one
 *             the reference was declared with here (or asked for in a
 *             lookup), never a peer's word: a peer cannot retype an actor
 *             (issue 13). Its epoch is its owner's: the id's node;
 *   names:    published name -> local actor (alox_publish / alox_lookup).
 *
 * Actor ids are (node << 48 | serial): ids of this node are exported local
 * actors; others are proxies.
 *
 * Thread-safety: all functions, any thread (one mutex each table), except
 * proxy_reclaim_due / proxy_reclaim_free and proxy_dead (the mailman).
 */
#ifndef ALOX_PROXY_H
#define ALOX_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/actor.h"

struct peer_epoch;

/* The peer session a proxy belongs to (the actor header's `remote`). */
static inline struct peer_epoch *proxy_epoch(const actor *proxy) { return proxy->remote; }

/* Makes a local actor findable by its id from the network. */
void proxy_export(actor *a);

/* The exported local actor with this id, or NULL. */
actor *proxy_find_export(uint64_t id);

/* The drained release (core/drained.h) of an exported actor: its entry
 * and its published names go. A later message or reference for its id finds a stand-in that
 * reads as a freed actor (ALOX_DEAD_STOPPED, target id 0 for a send
 * through the reference, the id itself for a message to it). */
void proxy_export_drained(actor *a);

/* Entries in the export map (tests). */
uint64_t proxy_export_count(void);

/* The proxy for remote id (created on first use, with the type of that
 * hash if registered here, else a body-less placeholder type: type hashes
 * come only from this program's declarations, so placeholders are as few
 * as the types it names), belonging
 * to `epoch` (NULL: a node we cannot reach). An existing proxy of a dead
 * epoch is replaced by a new one. */
actor *proxy_for(uint64_t id, uint64_t type_hash, struct peer_epoch *epoch);

/* A proxy, not registered, for an actor of a process that has ended (a
 * dead epoch): sends to it are dead letters ("peer lost"). Mailman. */
actor *proxy_dead(uint64_t id, uint64_t type_hash, struct peer_epoch *graveyard);

/* Proxies of an ended session give their memory back (issue 13.5). When
 * a session ends (session_lost), every send to its proxies is a "peer
 * lost" dead letter for ever; nothing but user code and messages can hold
 * them. So they leave the table (a later reference makes a new proxy of
 * the new session), wait PROXY_TOMBSTONE_MS as tombstones (sends are "peer
 * lost" with the actor's id), then a grace period (support/grace.h: no
 * thread is inside a send to them), and go back to the once heap like a
 * stopped actor's memory (docs/ARCHITECTURE.md "Actor memory"): a later
 * send reads zeros and is a dead letter ALOX_DEAD_STOPPED with id 0.
 * Proxies made for a dead epoch (an old incarnation's actor, an unknown
 * node) are tombstones from birth. Epochs themselves stay (48 bytes). */
void proxy_retire_epoch(struct peer_epoch *e);

/* Mailman, each turn before it hands the outboxes over: true when the
 * oldest retired proxies may go; then, after the hand-over (messages
 * pushed to them before the grace period are dead letters by then, their
 * headers read), proxy_reclaim_free frees them. */
bool proxy_reclaim_due(int64_t now_ms);
void proxy_reclaim_free(void);

/* Proxies freed so far (tests). */
uint64_t proxy_freed_count(void);

/* How many proxies proxy_for has made so far (for the per-peer bound). */
uint64_t proxy_made_count(void);

/* Publishes a local actor under name. Returns false if the name is taken
 * by another actor. */
bool proxy_publish(actor *a, const char *name);

/* The actor published under name, or NULL; with its id and type hash,
 * read while the name held it (after the call it may be drained and
 * freed: its pointer stays safe to send to, its header reads zeros). */
actor *proxy_find_published(const char *name, uint64_t *id, uint64_t *type_hash);

/* Published names (tests): a stopped actor's names go when it is drained. */
uint64_t proxy_name_count(void);

#endif
