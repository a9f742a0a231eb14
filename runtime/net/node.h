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
 * Thread-safety: node_start from alox_init only.
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

/* Called by the mailman thread: a stop signal arrived since last asked. */
bool node_stop_requested(void);

#endif
