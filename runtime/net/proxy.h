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
 * Thread-safety: all functions, any thread (one mutex each table).
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

/* The proxy for remote id (created on first use, with the type of that
 * hash if registered here, else a body-less placeholder type: type hashes
 * come only from this program's declarations, so placeholders are as few
 * as the types it names), belonging
 * to `epoch` (NULL: a node we cannot reach). An existing proxy of a dead
 * epoch is replaced by a new one. */
actor *proxy_for(uint64_t id, uint64_t type_hash, struct peer_epoch *epoch);

/* How many proxies proxy_for has made so far (for the per-peer bound). */
uint64_t proxy_made_count(void);

/* Publishes a local actor under name. Returns false if the name is taken
 * by another actor. */
bool proxy_publish(actor *a, const char *name);

/* The actor published under name, or NULL. */
actor *proxy_find_published(const char *name);

#endif
