/*
 * causal.h - termination across nodes (issue 13 item 2): a remote message
 * is reported *done* to its sender only when every message sent because of
 * it, on this node and on others, transitively, has been processed and
 * reported done too, so a client's alox_run cannot return while a reply
 * forwarded through other nodes is on its way. Per root, so independent
 * clients never wait for each other.
 *
 * Dijkstra-Scholten per (sender, root):
 *
 *   - every remote item carries its *root*: the node whose own work (main,
 *     a timer, an actor not running for a remote message) began the
 *     computation it belongs to. A send by a behaviour that runs because
 *     of a remote message (worker.h: cause) inherits that message's root;
 *     any other send is rooted at its own node (wire.h: WIRE_ITEM_ROOT);
 *   - the receiver keeps a causal_root per (sender peer, root): `live`,
 *     its deficit, counts the frame records of that key not yet finished
 *     (peer.h: their items, and the local messages they caused, have not
 *     all run) plus the remote messages sent by such work that their
 *     receivers have not reported done;
 *   - a record of a key with no *parent* makes its last item the parent:
 *     told as processed as usual, and named in the header's withheld list
 *     (wire.h), so the sender keeps it (and its hold) until a header no
 *     longer names it. Every other item is done as soon as it is
 *     processed: the key's engagement answers for its work;
 *   - when a key's `live` is 0 its parent is done and no longer named
 *     (a state, told in every header: a lost frame is repaired by the
 *     next, no repeats, no frames of its own beyond the ACK that any
 *     change of the acknowledgements sends);
 *   - work rooted at this node is never withheld: alox_run here counts it
 *     (local work and remote holds), and it has nobody to be done to.
 *
 * Why it cannot deadlock: a parent waits on messages sent after it arrived
 * (its key's deficit was 0 before it, or it would not be the parent), and
 * so does each of those that is a parent in turn; a cycle of waits would
 * need a message sent after it was received. A waiting chain is as long
 * as the computation is deep: in a long conversation both sides re-engage
 * per round and release the previous engagement, memory stays flat.
 * Timers and descriptor watches armed by caused work do not inherit the
 * cause: a fired timer is this node's own work, so a server that keeps a
 * timer or a listening socket still lets its clients end.
 *
 * Thread-safety: causal_send_root and causal_tag_send on the sending
 * thread, causal_frame_end on any thread; everything else on the mailman.
 */
#ifndef ALOX_CAUSAL_H
#define ALOX_CAUSAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "peer.h"

typedef struct causal_root {
    struct causal_root *next;   /* in its peer's list, or the detached one (mailman) */
    uint16_t root;              /* the root node's id (never this node's) */
    bool detached;              /* its session ended: freed once live is 0 */
    _Atomic int64_t live;       /* the deficit (above) */
    uint64_t parent_seq;        /* the item from the peer it is engaged by; 0: none */
} causal_root;

/* A record of root `root` from p begins (before any of its items is
 * delivered): its key, counted until causal_frame_end; NULL for work
 * rooted at this node (nothing to count). */
causal_root *causal_frame_begin(peer *p, uint16_t root);

/* The record's items are all in, the last at last_seq: it engages its key
 * if the key has no parent. */
void causal_frame_close(peer *p, causal_root *key, uint64_t last_seq);

/* Any thread: a frame record of key reached zero (all it caused locally ran). */
void causal_frame_end(causal_root *key);

/* The sending thread: the key the running behaviour's sends count in, NULL
 * if it was not caused by a remote message of another root (worker.h). */
causal_root *causal_send_root(void);

/* The sending thread, before m is queued: m (made with room for the key,
 * message_new_remote_slotted) counts in key until causal_free. */
void causal_tag_send(remote_message *m, causal_root *key);

/* The root to name for m on the wire: 0 if it is this node's own work. */
uint16_t causal_root_of(const remote_message *m);

/* Frees outgoing m: its receiver reported it done, or it never will be
 * (dead letter, loss); its key no longer waits for it. */
void causal_free(remote_message *m);

/* Each turn of the mailman, before acknowledgements are told: keys whose
 * work is all done disengage, idle keys go. */
void causal_turn(void);

/* What to tell p: "processed" (never more than the withheld list can reach
 * back from), and the withheld list (its items, increasing, in out; returns
 * how many; out has room for WIRE_MAX_WITHHELD). */
uint64_t causal_processed_for(const peer *p);
uint32_t causal_withheld_for(const peer *p, uint64_t *out);

/* Has p's withheld list changed since it was last told? */
bool causal_withheld_untold(const peer *p);

/* This node is ending (alox_exit): it will never finish its engagements,
 * so its last words name no withheld item and the senders end now, not
 * after the peer timeout. */
void causal_ending(void);

/* p's session ended: its parents have nobody to be done to; its keys stay
 * until the work still counted in them is done. */
void causal_session_lost(peer *p);

#endif
