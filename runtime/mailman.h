/*
 * mailman.h - the send path. A behaviour call is a call to alox_send (the
 * ABI entry point, see alox/abi.h): for a target on this scheduler the
 * message is enqueued at once on the caller's thread, with no extra hop,
 * and the target is scheduled if its mailbox was idle. Remote targets
 * (handed to mailman threads that own the network sockets) come with
 * distribution.
 *
 * Thread-safety: alox_send may be called from any thread.
 */
#ifndef ALOX_MAILMAN_H
#define ALOX_MAILMAN_H

#include "alox/abi.h"

#endif
