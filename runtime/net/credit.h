/*
 * credit.h - flow control between peers that loses nothing (issue 16): a
 * session asks its peer to hold its sends while one of our actors its
 * messages reach is overloaded, and the actors that send to a peer whose
 * queue of unreceived messages is full pause, as the senders of an
 * overloaded actor do (core/overload.h).
 *
 * Receiving. Inbound messages are exempt from backpressure: they are
 * delivered, the mailman never waits on an actor. When a delivery finds its
 * target ACTOR_OVERLOADED, the session *holds*: every frame to the peer
 * carries WIRE_FLAG_HOLD until that actor stops counting as overloaded (or
 * few of the peer's messages are left to run here, CREDIT_RESUME_ITEMS), and
 * the peer puts no new items in its frames meanwhile (outgoing.c,
 * in_window). What it had sent still arrives, at most a window
 * (TRANSPORT_WINDOW_ITEMS). The mailman keeps reading every socket (one
 * ROUTER serves all peers, and not reading a dealer would stop its
 * heartbeats too), so heartbeats, acknowledgements and other peers' frames
 * flow as before and a hold never looks like a lost peer. Only overloaded
 * actors hold: one is never muted and drains at its own speed, so a hold
 * always ends (a muted actor may be waiting on this very peer's gate, a
 * cycle across nodes). The cost: while it holds, the peer's messages to our
 * other actors wait too (one credit per session, as TCP's window).
 *
 * Sending. A message pushed to a peer's outbox counts (`pushed`, any
 * thread) until the peer has received it or it became a dead letter
 * (`settled`, the mailman). At CREDIT_GATE_CLOSE unsettled messages the
 * peer's gate closes (core/overload.h, "Gates"): an actor that sends to it
 * pauses after its behaviour, a plain thread waits in the send; the mailman
 * opens it at CREDIT_GATE_OPEN and queues the paused actors. Received, not
 * processed: a gate waits only on the network and on the peer's holds,
 * which end on their own, never on a muted actor of either node, so two
 * nodes flooding each other cannot deadlock.
 *
 * Thread-safety: credit_sent from any thread; credit_start before the
 * workers run; the rest on the mailman thread.
 */
#ifndef ALOX_NET_CREDIT_H
#define ALOX_NET_CREDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "transport_internal.h"

struct actor;

/* Unsettled messages (pushed, not yet received by the peer) at which the
 * peer's senders pause, and below which they resume. Two windows: the one
 * in flight and the next one queued behind it, so a sender that resumes
 * refills the queue before the window reopens (about 8 MB of small
 * messages per peer at most, where an unbounded queue took gigabytes). */
#define CREDIT_GATE_CLOSE (2u * TRANSPORT_WINDOW_ITEMS)
#define CREDIT_GATE_OPEN TRANSPORT_WINDOW_ITEMS

/* A hold ends early once fewer of the peer's messages than this wait here
 * (delivered, not yet run): the overloaded actor's flag clears only at a
 * quarter of its limit (4,096 messages, a few milliseconds of a slow
 * receiver's work), less than the time the peer takes to hear of it and
 * refill (tens of milliseconds on a loaded machine), so the receiver sat
 * idle (measured: 45% of the rate lost). The peer's messages waiting here
 * stay under this plus one window. */
#define CREDIT_RESUME_ITEMS (TRANSPORT_WINDOW_ITEMS / 2)

/* Once, before the workers run: wakes the mailman when an actor catches up. */
void credit_start(void);
void credit_init(struct peer *p);

/* Any thread, after pushing a message to p's outbox: counts it, closes
 * p's gate at CREDIT_GATE_CLOSE and pauses the sender behind a closed one. */
void credit_sent(struct peer *p);

/* Mailman: `messages` pushed to p were received by it or dead-lettered. */
void credit_settle(struct peer *p, uint64_t messages);

/* Mailman, inside grace_enter, after pushing an item of p to `target`. */
void credit_delivered(struct peer *p, const struct actor *target);

/* Mailman, each turn: opens p's gate once few enough are unsettled, and
 * ends the hold when its actor is no longer overloaded. */
void credit_turn(struct peer *p);

/* Mailman: p's frames carry the hold flag; the session sends a frame at
 * once when it changed since the last one it sent. */
uint32_t credit_frame_flags(const struct peer *p);
bool credit_hold_untold(const struct peer *p);

/* Mailman: p asked us (its latest frame's flags) to hold, or not. */
void credit_on_flags(struct peer *p, uint32_t flags);

/* Mailman: the session ended: no hold either way. */
void credit_lost(struct peer *p);

#endif
