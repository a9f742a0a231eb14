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

#include <stdbool.h>

#include "alox/abi.h"

struct actor;

/* The type hash of the runtime's own behaviours (readiness of a watched
 * descriptor, the TCP layer's flush): they run inside any actor, are sent
 * only by the runtime, and are never dead letters. A user type's hash is
 * the FNV-1a of its tag, never 0. */
#define RUNTIME_BEHAVIOUR_TYPE_HASH 0u

static inline int behaviour_is_runtime(const alox_behaviour_desc *b) {
    return b->type_hash == RUNTIME_BEHAVIOUR_TYPE_HASH;
}

/* Would alox_send put this into a mailbox (or hand it to the network)
 * now? If not, the dead letter is reported now (or the program aborts, for
 * a pointer that is no actor), and false is returned. For APIs that send
 * later (alox_after). Any thread. */
bool mailman_would_deliver(void *target, const alox_behaviour_desc *behaviour, const void *args);

/* Sends a runtime behaviour to a local actor: alox_send without its
 * checks (the caller's are stronger: a runtime message validates itself
 * when it runs). Dropped, silently, when it reaches a stopped actor: it
 * carried the runtime's work for that actor, not a user's message. The
 * one exception is a monitor's (a notice to a stopped watcher frees its
 * record), which the worker and the drain hand to monitor_undelivered. */
void mailman_send_runtime(struct actor *a, const alox_behaviour_desc *behaviour, const void *args);

#endif
