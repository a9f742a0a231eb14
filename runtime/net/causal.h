/*
 * causal.h - termination across nodes (issue 13 item 2): a remote message
 * is reported *done* to its sender only when every remote message sent
 * because of it has been reported done too, so a client's alox_run cannot
 * return while a reply forwarded through other nodes is on its way.
 *
 * Dijkstra-Scholten with the engaged rule, per node:
 *
 *   - `live` counts this node's remote-caused work: frame records not yet
 *     finished (peer.h: a received BATCH whose behaviours, and the local
 *     messages they caused, have not all run) plus remote messages sent by
 *     such work (tagged MESSAGE_CAUSED_TAG) that their receiver has not
 *     reported done;
 *   - a BATCH arriving while the node has no *parent* makes its last item
 *     the parent: its "processed" is told as usual, but in the header's
 *     ack_withheld (wire.h) as well, so the sender keeps it (and its hold)
 *     until a header no longer names it. Every other frame is done as soon
 *     as it is processed: the engagement already answers for its work;
 *   - when `live` is 0 the parent is done: the next header to its peer
 *     names no withheld item (a state, told in every frame, so a lost
 *     frame is repaired by the next one: no repeats, no frames of its own
 *     beyond the ACK that any change of the acknowledgements sends).
 *
 * A waiting chain is as long as the computation is deep, not as long as it
 * has run: in a long conversation both nodes stay engaged by their first
 * message, every later one is released when processed (memory stays flat).
 * Timers and descriptor watches armed by caused work do not inherit the
 * cause: a fired timer is a plain local message, so a server that keeps a
 * timer or a listening socket still lets its clients end (a reply sent
 * from a timer is not waited for). The limit: the engagement is node-wide,
 * not per client; see docs/ARCHITECTURE.md.
 *
 * Thread-safety: causal_tag_send on the sending thread, causal_frame_end
 * on any thread; everything else on the mailman thread.
 */
#ifndef ALOX_CAUSAL_H
#define ALOX_CAUSAL_H

#include <stdint.h>

#include "peer.h"

/* A BATCH frame from p whose items end at last_seq gets its record. */
void causal_frame_begin(peer *p, uint64_t last_seq);

/* Any thread: a frame record reached zero (everything it caused locally ran). */
void causal_frame_end(void);

/* The sending thread, before m is queued: tags m if the running behaviour
 * was caused by a remote message (worker.h: cause). */
void causal_tag_send(remote_message *m);

/* m's receiver reported it done, or it will never be (dead letter, loss). */
void causal_untag(remote_message *m);

/* Each turn of the mailman, before acknowledgements are told. */
void causal_turn(void);

/* What to tell p: "processed" (never more than ack_withheld can reach
 * back from) and the withheld item (0: none). */
uint64_t causal_processed_for(const peer *p);
uint64_t causal_withheld_for(const peer *p);

/* This node is ending (alox_exit): it will never finish its engagement,
 * so its last words name no withheld item and its parent's sender ends
 * now, not after the peer timeout. */
void causal_ending(void);

/* p's session ended: its parent, if any, has nobody to be done to. */
void causal_session_lost(const peer *p);

#endif
