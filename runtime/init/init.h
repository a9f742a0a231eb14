/*
 * init.h - alox_init and alox_run: the one place that wires the layers
 * together. alox_init parses the --alox-* flags and ALOX_* variables
 * (config.h), configures the core (worker count, this node's id), and,
 * only when a node name was given, starts the network layer (net/node.h),
 * which installs the core's remote hooks. alox_run makes sure alox_init
 * has run, then runs the core's scheduler.
 *
 * Thread-safety: alox_init and alox_run from one thread (normally main's).
 * The configuration init_config returns is read-only once alox_init has
 * returned, and may be read from any thread.
 */
#ifndef ALOX_INIT_H
#define ALOX_INIT_H

#include <stdbool.h>

#include "config.h"

/* The configuration alox_init accepted; NULL before alox_init. */
const config *init_config(void);

#endif
