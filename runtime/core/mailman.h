/*
 * mailman.h - the send path. A behaviour call is a call to alox_send (the
 * ABI entry point, see alox/abi.h): for a target on this scheduler the
 * message is enqueued at once on the caller's thread, with no extra hop,
 * and the target is scheduled if its mailbox was idle. A target on
 * another scheduler is a proxy: the message goes to the mailman thread
 * that owns the network sockets (transport.h), which batches, encrypts
 * and sends it; the caller never waits on the network.
 *
 * Thread-safety: alox_send may be called from any thread.
 */
#ifndef ALOX_MAILMAN_H
#define ALOX_MAILMAN_H

#include "alox/abi.h"

#endif
