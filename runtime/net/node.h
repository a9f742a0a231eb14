/*
 * node.h - this scheduler as a node of a distributed actor system: starts
 * the transport with the settings alox_init accepted, installs the core's
 * remote hooks (core/remote_hooks.h), and makes SIGINT / SIGTERM end
 * alox_run cleanly on a node (alox_exit(0)).
 *
 * Nothing here runs unless alox_init was given a node name: a program
 * that never turns distribution on starts no network thread and opens no
 * socket.
 *
 * Thread-safety: node_start from alox_init only; node_add_peer from any
 * thread.
 */
#ifndef ALOX_NODE_H
#define ALOX_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "transport.h"

/* Binds, connects and starts the mailman thread, then routes the core's
 * sends to proxies through it; false with the reason in err (alox_init
 * then exits 2). */
bool node_start(const transport_config *config, char *err, size_t err_size);

/* Dynamic membership (etcd, tests): the trusted node `name` listens at
 * `endpoint` (tcp://HOST:PORT), with the authority of --alox-peer. The key
 * comes only from the trust file: a name that is not there (or is this
 * node, or a malformed endpoint) is refused with a log line, and false is
 * returned. Otherwise the address is recorded at once (returns true) and
 * the connection is opened on first use: the first message, spawn or
 * lookup for that node. A later call with another endpoint moves the
 * connection. Safe from any thread, after alox_init. */
bool node_add_peer(const char *name, const char *endpoint);

/* Called by the mailman thread: a stop signal arrived since last asked. */
bool node_stop_requested(void);

#endif
