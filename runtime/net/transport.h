/*
 * transport.h - the network side of the mailman: one thread that owns the
 * ZeroMQ sockets of this scheduler (a ROUTER listening on --alox-listen,
 * a DEALER to each --alox-peer, the ZAP handler that admits only trusted
 * CURVE keys), encodes outgoing messages into batches per peer, decodes
 * incoming frames into local mailboxes, and keeps peer sessions alive
 * (peer.h). Workers never touch a socket: they hand remote messages over
 * through a lock-free outbox and an eventfd.
 *
 * Thread-safety: transport_start / transport_stop from the thread that
 * calls alox_init (start) and at exit (stop); everything else any thread.
 */
#ifndef ALOX_TRANSPORT_H
#define ALOX_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/message.h"

typedef struct transport_peer_config {
    const char *name;
    const char *endpoint;   /* NULL: it connects to us */
    const char *public_z85; /* its CURVE public key */
} transport_peer_config;

typedef struct transport_config {
    const char *node;       /* this scheduler's name */
    const char *listen;     /* tcp://HOST:PORT, or NULL */
    const char *public_z85, *secret_z85;
    const transport_peer_config *peers; /* every trusted node but this one */
    size_t peer_count;
} transport_config;

/* Binds, connects and starts the mailman thread. On failure returns false
 * with the reason in err (e.g. the listen address is in use). */
bool transport_start(const transport_config *config, char *err, size_t err_size);

/* Flushes what can be flushed (bounded wait) and stops the thread. */
void transport_stop(void);

bool transport_running(void);

/* Does this node serve others (it listens)? alox_run then waits for
 * alox_exit or SIGINT/SIGTERM instead of returning at quiescence. */
bool transport_serving(void);

/* alox_send to a proxy: queue the message for its node (or dead-letter it
 * when the peer is lost or an alox_stage pointer would leave the process). */
void transport_send(actor *proxy, const alox_behaviour_desc *behaviour, const void *args);

/* A worker ran a message that came from the network (or one it caused). */
void transport_processed(remote_message *m);

/* A local message now waits on `cause` (a frame record): remote_hooks.h. */
void transport_caused(void *cause);

/* Any thread: has the session of this proxy ended (remote_hooks.h)? */
bool transport_proxy_lost(actor *proxy);

/* The epoch of the named node (NULL if unknown), and its node id. */
struct peer_epoch *transport_epoch_of(const char *node, uint16_t *node_id);

/* Queues the creation of `proxy`'s actor on its node. */
void transport_spawn(actor *proxy, uint64_t type_hash);

/* Asks `node` for the actor published as `name`. Blocks up to timeout_ms.
 * Returns the proxy, or NULL with *status = enum wire_lookup_status (or -1
 * for a timeout / unknown node). */
actor *transport_lookup(const char *node, const char *name, uint64_t type_hash, int timeout_ms,
                        int *status);

/* Statistics, for tests and `alox top`. */
uint64_t transport_malformed_frames(void);
uint64_t transport_rejected_connections(void);

#endif
