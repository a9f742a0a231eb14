/*
 * node.h - this scheduler as a node of a distributed actor system: starts
 * the transport from the configuration alox_init accepted, and makes
 * SIGINT / SIGTERM end alox_run cleanly on a node (alox_exit(0)).
 *
 * Thread-safety: node_start from alox_init only.
 */
#ifndef ALOX_NODE_H
#define ALOX_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Does nothing without --alox-node. Otherwise binds, connects and starts
 * the mailman thread; false with the reason in err (alox_init exits 2). */
bool node_start(const config *cfg, char *err, size_t err_size);

/* Called by the mailman thread: a stop signal arrived since last asked. */
bool node_stop_requested(void);

#endif
