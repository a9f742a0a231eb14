/*
 * peer.h - the state this scheduler keeps for each other scheduler (peer)
 * it may talk to: its route, its incarnation, the sequence of messages
 * sent to it and not yet acknowledged, and the frames received from it and
 * not yet processed.
 *
 * A peer session is an *epoch*: it begins with the peer's HELLO (each side
 * names the session with a random token, and every frame carries both
 * tokens, so frames of an older session or process are recognised and
 * dropped) and ends when the peer is lost (no sign of life for ALOX_PEER_TIMEOUT_MS, a new
 * incarnation, a broken sequence). Proxies belong to an epoch; when it
 * ends, its unacknowledged messages and every later send to its proxies go
 * to dead letters ("peer lost"), and a restarted peer starts a new epoch
 * whose references are new proxies.
 *
 * Acknowledgements travel in every frame header: `received` (items up to
 * this seq arrived) and `processed` (their behaviours have run, including
 * the sends those behaviours made back to us, which travel ahead of the
 * acknowledgement on the same connection). A sender keeps each message
 * until it is processed, and those the header names as withheld until
 * they are done too (causal.h); that is what alox_run waits for on a client.
 *
 * caused_by (issue 13, "never both"): an item also names the item of
 * the receiver whose behaviour sent it (wire.h), when it is a send back
 * to that item's sender in the same session. Such an item proves that
 * the named one ran, before any acknowledgement says so: if the peer
 * dies before its "processed" reaches us, a message whose reply we got
 * is not reported as a dead letter too. Proofs are kept in a bitmap of
 * PEER_PROOF_BITS seqs from the oldest unacknowledged one on (a proof
 * beyond it, or for what we never sent, is ignored: the message is then
 * reported as before, never lost silently).
 *
 * Thread-safety: everything here belongs to the mailman thread, except
 * peer_epoch_is_dead (any thread) and frame_record_processed (workers).
 */
#ifndef ALOX_PEER_H
#define ALOX_PEER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/message.h"
#include "peer_stats.h"
#include "rtt.h"
#include "wire/wire.h"

typedef struct peer_epoch {
    struct peer *peer;
    _Atomic bool dead;
    /* Proxies made in it (proxy.c, under its lock). An ended epoch with
     * proxies stays allocated (they point at it); one without serves the
     * next session, so sessions that exchange no references cost nothing. */
    _Atomic uint32_t proxies;
    uint32_t incarnation;       /* the peer's, in this session (0 until its HELLO); mailman */
    /* Its proxies, linked through next_runnable (a proxy is never run nor
     * muted), and whether they were retired (proxy.c, under its lock). */
    struct actor *proxy_list;
    bool retired;
    struct peer_epoch *previous;
} peer_epoch;

/* Session tokens: the high 32 bits name the process (its incarnation,
 * random at start, the same towards every peer), the low 32 bits the
 * session. References carry their owner's incarnation (wire.h), so a
 * node that receives a reference from an incarnation newer than the one
 * it is in session with ends the old session at once (session.c). */
#define PEER_OLD_INCARNATIONS 4 /* remembered per peer, to tell old references from new */
/* Seqs past the oldest unacknowledged one whose proofs (caused_by) are
 * kept: four windows of items in flight, 32 KiB a peer, allocated on the
 * first proof. A power of two. */
#define PEER_PROOF_BITS (1u << 18)

/* A received BATCH frame whose behaviours have not all run yet, nor all
 * the local messages they caused (remote_hooks.h "causes"): `remaining`
 * counts its items delivered and not processed plus the local messages
 * they (and those, in turn) sent that have not run. At zero the frame is
 * processed: a forward-then-reply inside this node is acknowledged only
 * once the reply is on its way. Remote messages the behaviours send are
 * not waited for (waiting on another node's cumulative acknowledgement
 * could deadlock a ring of nodes); a reply to the frame's sender travels
 * ahead of the acknowledgement on the same connection. */
struct causal_root;

/* One record per run of a frame's items of one root (causal.h). */
typedef struct frame_record {
    struct frame_record *next;
    struct peer *from;          /* set before any worker sees the record */
    struct causal_root *key;    /* its (from, root), NULL if rooted here; the same */
    uint32_t session_gen;       /* from's session_gen then: what a caused_by names */
    uint64_t last_seq;          /* seq of the frame's last item */
    _Atomic uint32_t remaining; /* see above */
} frame_record;

typedef struct peer {
    char name[WIRE_MAX_NAME + 1];
    uint16_t node_id;
    uint8_t public_key[32];     /* CURVE public key, from the trust file */
    char endpoint[256];         /* where we connect to it; "" if we do not */
    uint8_t endpoint_source;    /* enum address_source: who told us (address_book.h) */
    uint32_t proxies_made;      /* proxies made for refs it sent this session (inbound.c) */
    uint64_t told_addresses_session; /* their_session when we last sent ADDRESSES */
    uint64_t told_addresses_version; /* address_book's version then */
    void *dealer;               /* our connection to it, or NULL */
    uint8_t route[256];         /* its connection to our ROUTER (routing id) */
    size_t route_size;          /* 0 until it said HELLO there */
    _Atomic(peer_epoch *) epoch;
    uint64_t our_session;       /* our random token for this session */
    uint64_t their_session;     /* theirs, from their HELLO; 0 until then */
    uint32_t old_incarnations[PEER_OLD_INCARNATIONS]; /* its ended ones, newest first */
    peer_epoch *graveyard;      /* dead: for references to its old incarnations */
    int64_t last_heard_ms, last_sent_ms;
    int64_t session_start_ms;   /* when their HELLO began this session */
    int64_t outstanding_since_ms; /* when unacked went from empty to not; 0 if empty */
    /* What a verdict on it may rest on (evidence.h): */
    int64_t caught_up_ms;       /* the last turn that read all its frames waiting for us */
    bool reads_behind;          /* this turn's read of our dealer to it stopped at its burst */
    bool catch_up;              /* a verdict waits for evidence: read its sockets faster */

    _Atomic(message *) outbox;  /* any thread: a Treiber stack of sends to it (transport.c) */

    /* Outgoing (outgoing.c): every message queued to it and not yet
     * processed, in seq order; send_next is the first not yet put in a
     * frame (NULL: all sent). At most TRANSPORT_WINDOW_ITEMS of them are
     * in flight (sent, not yet received); the rest wait, never dropped. */
    uint64_t next_seq;          /* seq of the next item we queue */
    remote_message *unacked_first, *unacked_last; /* queued, not processed */
    remote_message *send_next;  /* first one to put in a frame, or NULL */
    uint64_t sent_seq;          /* the highest seq put in a frame this session */
    uint64_t acked_received;    /* they received every item up to here */
    /* Processed but not done (their header's withheld list named them):
     * kept, with their holds, in seq order through `next`, until a header
     * from them no longer names them (causal.h). */
    remote_message *withheld_first, *withheld_last;
    int64_t unreceived_since_ms; /* when received last moved while items were in flight; 0 if none */
    uint64_t rewound_to;        /* the seq a resend last started from */
    int64_t rewound_ms;         /* ... and when */
    uint64_t probe_resume_seq;  /* a probe (one frame) is being resent: then on from here; 0: none */
    wire_buffer batch;          /* the BATCH frame being encoded */
    uint64_t *proven;           /* PEER_PROOF_BITS bits by seq: proved to have run; NULL until one */
    uint32_t session_gen;       /* sessions ended (session_lost): seqs restart with each */

    /* Incoming. */
    uint64_t expected_seq;      /* of the next item from them */
    frame_record *records_first, *records_last;
    uint64_t received_seq, processed_seq;   /* what to acknowledge */
    /* "Processed" up to noted_seq may be told once the sends those
     * behaviours made to this peer (up to our seq noted_needs_seq) are in a
     * frame: the acknowledgement rides with them or after them. */
    bool noted;
    uint64_t noted_seq, noted_needs_seq;
    uint64_t told_received, told_processed; /* what we last acknowledged */
    /* Causes (causal.h): its keys (one per root of its items), how many of
     * them are engaged, and a count of changes of what the withheld list
     * names, and that count when we last told it. */
    struct causal_root *roots;
    uint32_t engaged;
    uint64_t withheld_version, told_withheld_version;
    int64_t nacked_ms;          /* when we last asked for a resend */
    uint64_t nacked_seq;        /* ... from which seq */

    /* Credit (credit.h). Sending: messages pushed to the outbox (any
     * thread) and those received by the peer or dead-lettered (written by
     * the mailman, read by any thread); the gate its senders pause on;
     * whether its latest frame asked us to hold. Receiving: whether we ask
     * it to hold (what we last told), for which actor of ours (its id). */
    _Atomic uint64_t pushed, settled;
    struct actor *gate;
    bool peer_holds;
    bool holding, told_holding;
    uint64_t blocker;

    peer_rtt rtt;               /* PING/PONG (rtt.h) */
    peer_stats stats;           /* for alox top (peer_stats.h) */
} peer;

/* Any thread: can sends to proxies of this epoch still be delivered? */
static inline bool peer_epoch_is_dead(peer_epoch *e) {
    /* Acquire: pairs with the release store in peer_lost, so the sender
     * sees the epoch's end before it queues more messages to it. */
    return e == NULL || atomic_load_explicit(&e->dead, memory_order_acquire);
}

static inline peer_epoch *peer_current_epoch(peer *p) {
    return atomic_load_explicit(&p->epoch, memory_order_acquire);
}

/* Workers: one more item of the frame has been processed. Returns true if
 * it was the last (the mailman should then acknowledge). */
bool frame_record_processed(frame_record *r);

/* Any thread running because of r: one more message waits on r. */
static inline void frame_record_adopt(frame_record *r) {
    /* Relaxed: the caller holds a count of r (its own message's), and
     * gives it up later with frame_record_processed's acq_rel. */
    atomic_fetch_add_explicit(&r->remaining, 1, memory_order_relaxed);
}

#endif
