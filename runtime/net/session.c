/* session.c - peer sessions on the mailman thread: HELLO, acknowledgements,
 * outgoing batches, heartbeats and loss. See peer.h for the model. */
#include "transport_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <zmq.h>

#include "address_book.h"
#include "credit.h"
#include "evidence.h"
#include "support/dead_letter.h"
#include "support/grace.h"
#include "security/keys.h"
#include "support/platform.h"
#include "proxy.h"
#include "core/monitor.h"
#include "core/scheduler.h"

static alox_peer_lost_fn lost_handler;

void alox_on_peer_lost(alox_peer_lost_fn fn) { lost_handler = fn; }

bool frame_record_processed(frame_record *r) {
    causal_root *key = r->key; /* r may be freed once its count is 0 */
    /* acq_rel: release orders the behaviour's sends (already in the
     * outbox) before the acknowledgement; acquire makes the last
     * decrementer see the others' effects. */
    if (atomic_fetch_sub_explicit(&r->remaining, 1, memory_order_acq_rel) != 1)
        return false;
    causal_frame_end(key); /* key stays until the mailman sees its count at 0 */
    return true;
}

uint16_t session_node_id(const char *name) { return node_id_of(name); }

static uint32_t random_nonzero(void) {
    uint32_t value = 0;
    while (value == 0)
        if (getrandom(&value, sizeof value, 0) != sizeof value)
            alox_fatal("cannot read random bytes for a session token");
    return value;
}

static uint64_t random_token(void) {
    if (transport.incarnation == 0)
        transport.incarnation = random_nonzero();
    return (uint64_t)transport.incarnation << 32 | random_nonzero();
}

static uint32_t incarnation_of(uint64_t token) { return (uint32_t)(token >> 32); }

static peer_epoch *new_epoch(peer *p) {
    peer_epoch *e = calloc(1, sizeof *e);
    if (!e)
        alox_fatal("out of memory starting a peer session");
    e->peer = p;
    return e;
}

void session_init(peer *p) {
    p->node_id = session_node_id(p->name);
    atomic_init(&p->epoch, new_epoch(p));
    p->our_session = random_token();
    p->next_seq = 1;
    p->expected_seq = 1;
    p->last_heard_ms = p->caught_up_ms = transport_now_ms();
    wire_buffer_init(&p->batch);
    credit_init(p);
}

peer *session_by_node(uint16_t node_id) {
    for (size_t i = 0; i < transport.peer_count; i++)
        if (transport.peers[i].node_id == node_id)
            return &transport.peers[i];
    return NULL;
}

peer *session_by_name(const char *name) {
    for (size_t i = 0; i < transport.peer_count; i++)
        if (strcmp(transport.peers[i].name, name) == 0)
            return &transport.peers[i];
    return NULL;
}

static bool has_route(const peer *p) { return p->dealer != NULL || p->route_size > 0; }

static int send_part(void *socket, const void *data, size_t size, int flags) {
    int rc;
    do /* never block the mailman: a full queue (its high-water mark) is retried later */
        rc = zmq_send(socket, data, size, flags | ZMQ_DONTWAIT);
    while (rc < 0 && errno == EINTR);
    return rc;
}

void session_begin_frame(peer *p, wire_buffer *b, uint8_t kind) {
    wire_begin(b, kind, transport.node_id, p->our_session, p->their_session);
}

/* The withheld list of the header being sent (mailman). */
static uint64_t withheld_list[WIRE_MAX_WITHHELD];

bool session_send_frame(peer *p, wire_buffer *b) {
    uint64_t processed = causal_processed_for(p);
    wire_finish(b);
    wire_set_acks(b, p->received_seq, processed);
    wire_set_withheld(b, withheld_list, causal_withheld_for(p, withheld_list));
    wire_set_flags(b, credit_frame_flags(p));
    int rc;
    if (p->dealer) {
        /* send_part never blocks: a dealer whose CURVE handshake was
         * refused (the peer does not trust our key) has no pipe, and a
         * blocking send would stop the mailman, and the node, for good. */
        rc = send_part(p->dealer, b->data, b->size, 0);
    } else if (p->route_size) {
        /* ROUTER: the routing part is queued with the frame or not at all. */
        rc = send_part(transport.router, p->route, p->route_size, ZMQ_SNDMORE);
        if (rc >= 0)
            rc = send_part(transport.router, b->data, b->size, 0);
    } else {
        return false;
    }
    if (rc < 0) {
        if (errno == EHOSTUNREACH) /* the route is gone (ROUTER_MANDATORY): it must speak again */
            p->route_size = 0;
        return false; /* or EAGAIN: the queue is full; nothing is lost, it is sent again */
    }
    p->told_received = p->received_seq;
    p->told_processed = processed;
    p->told_withheld_version = p->withheld_version;
    p->told_holding = p->holding;
    p->last_sent_ms = transport_now_ms();
    peer_stats_frame_out(&p->stats, b->size);
    return true;
}

void session_send_control(peer *p, uint8_t kind) {
    session_begin_frame(p, &transport.scratch, kind);
    if (kind == WIRE_HELLO)
        wire_put_hello(&transport.scratch, transport.node);
    session_send_frame(p, &transport.scratch);
}

void session_send_hello(peer *p) { session_send_control(p, WIRE_HELLO); }

/* ---------------------------------------------------------------------
 * Incoming frames.
 * ------------------------------------------------------------------- */
static void remember_route(peer *p, const uint8_t *route, size_t size) {
    if (size == 0 || size > sizeof p->route)
        return;
    memcpy(p->route, route, size);
    p->route_size = size;
}

static void on_hello(peer *p, const wire_frame *f, bool via_router, const uint8_t *route,
                     size_t route_size) {
    /* A HELLO answering an earlier session of ours (it names a token we
     * no longer use) is stale: adopting its token would end the current
     * session, whose own HELLO follows, and so on for ever. */
    if (f->receiver_session != 0 && f->receiver_session != p->our_session)
        return;
    for (size_t i = 0; i < PEER_OLD_INCARNATIONS; i++)
        if (p->old_incarnations[i] == incarnation_of(f->sender_session))
            return; /* from a process that has ended, delayed on the way */
    if (f->sender_session != p->their_session) {
        if (p->their_session != 0)
            session_lost(p, incarnation_of(f->sender_session) != incarnation_of(p->their_session)
                                ? "it restarted"
                                : "it started a new session");
        p->their_session = f->sender_session;
        peer_current_epoch(p)->incarnation = incarnation_of(f->sender_session);
        p->session_start_ms = transport_now_ms();
        peer_stats_session(&p->stats, true);
    }
    if (via_router) { /* after a loss: the route is the new connection's */
        remember_route(p, route, route_size);
        session_send_hello(p); /* tell it our token; never answer a HELLO on our dealer */
    }
}

void session_on_frame(peer *p, const wire_frame *f, const uint8_t *route, size_t route_size,
                      bool via_router) {
    if (f->kind == WIRE_HELLO) {
        p->last_heard_ms = transport_now_ms();
        on_hello(p, f, via_router, route, route_size);
        return;
    }
    if (via_router)
        remember_route(p, route, route_size);
    bool stale = p->their_session == 0 || f->sender_session != p->their_session ||
                 (f->receiver_session != 0 && f->receiver_session != p->our_session);
    if (stale) {
        /* From an older session or process: drop it, and tell the sender
         * which session is current so it can start over. */
        if (via_router || p->dealer)
            session_send_hello(p);
        return;
    }
    p->last_heard_ms = transport_now_ms();
    credit_on_flags(p, f->flags); /* every frame says whether it holds us */
    switch (f->kind) {
    case WIRE_BATCH: inbound_batch(p, f); break;
    case WIRE_LOOKUP: remote_serve_lookup(p, f); break;
    case WIRE_LOOKUP_REPLY: remote_lookup_reply(p, f); break;
    case WIRE_ADDRESSES: address_book_on_frame(p, f); break;
    case WIRE_SPAWN_REFUSED: transport_spawn_refused(p, f->u.spawn_refused.id); break;
    case WIRE_PING: rtt_on_ping(p, f); break;
    case WIRE_PONG: rtt_on_pong(p, f); break;
    default: break; /* HEARTBEAT, ACK, NACK: the header said it all */
    }
    /* Acknowledgements last: the messages in this frame (sent by the
     * behaviours being acknowledged) must be in mailboxes before the holds
     * are released, or a client could see a moment of quiescence. */
    session_on_acks(p, f);
    if (f->kind == WIRE_NACK) /* it missed items after ack_received */
        session_on_nack(p);
}

/* Acknowledging "processed" promises that the messages those behaviours
 * sent to this peer travel ahead of the acknowledgement, or in the same
 * frame. So: first note how far the frames are done (their sends are in
 * the outbox by then: frame_record_processed's release), then hand the
 * outboxes to the peers' queues (session_note_needs: the last of our
 * seqs the note waits for), and tell the noted position in the first
 * frame that carries those sends, or any frame once they are out. One
 * note is open at a time, so a long queue to this peer delays an
 * acknowledgement by one pass over it, never for ever; other peers'
 * queues do not delay it. */
void session_note_processed(peer *p) {
    if (p->noted)
        return;
    uint64_t done = p->processed_seq;
    for (frame_record *r = p->records_first;
         r && atomic_load_explicit(&r->remaining, memory_order_acquire) == 0; r = r->next)
        done = r->last_seq;
    if (done == p->processed_seq)
        return;
    p->noted = true;
    p->noted_seq = done;
    p->noted_needs_seq = UINT64_MAX; /* known once the outbox is handed over */
}

void session_note_needs(peer *p) {
    if (p->noted && p->noted_needs_seq == UINT64_MAX)
        p->noted_needs_seq = p->next_seq - 1;
}

void session_ack_ready(peer *p, uint64_t framed_seq) {
    if (!p->noted || p->noted_needs_seq == UINT64_MAX ||
        (p->noted_needs_seq > framed_seq && p->noted_needs_seq > p->sent_seq))
        return;
    while (p->records_first && p->records_first->last_seq <= p->noted_seq) {
        frame_record *r = p->records_first;
        p->records_first = r->next;
        free(r);
    }
    if (!p->records_first)
        p->records_last = NULL;
    p->processed_seq = p->noted_seq;
    p->noted = false;
}

void session_free_orphans(void) {
    for (frame_record **o = &transport.orphans; *o;) {
        if (atomic_load_explicit(&(*o)->remaining, memory_order_acquire) == 0) {
            frame_record *done = *o;
            *o = done->next;
            free(done);
        } else {
            o = &(*o)->next;
        }
    }
}

/* ---------------------------------------------------------------------
 * Timers and loss.
 * ------------------------------------------------------------------- */
/* Which loss rule, if any, p falls under when judged at `at` (now for
 * the clock, evidence_time for the frames read). */
static const char *loss_rule(const peer *p, int64_t at, int64_t now) {
    int64_t timeout = transport.peer_timeout_ms;
    int64_t quiet_since = p->last_heard_ms > p->outstanding_since_ms ? p->last_heard_ms
                                                                      : p->outstanding_since_ms;
    if ((p->their_session != 0 && at - p->last_heard_ms > timeout) ||
        (p->unacked_first && at - quiet_since > timeout))
        return "no sign of life";
    /* Only a peer in session can fail to acknowledge; before its HELLO the
     * silence rule above applies. */
    if (p->their_session != 0 && p->unreceived_since_ms && at - p->unreceived_since_ms > timeout &&
        now - p->session_start_ms > timeout)
        return "it stopped acknowledging";
    return NULL;
}

void session_timers(peer *p, int64_t now) {
    /* Judged on the frames read, not on the clock (evidence.h): what it
     * said since may wait unread behind a starved mailman's bursts. */
    const char *why = loss_rule(p, evidence_time(p, now), now);
    if (why) {
        p->catch_up = false;
        session_lost(p, why);
        return;
    }
    p->catch_up = loss_rule(p, now, now) != NULL; /* due on the clock: read faster */
    session_resend_timer(p, now);
    session_ack_ready(p, 0);
    if (p->their_session == 0 || !has_route(p))
        return;
    /* Only "processed" and "done" (the withheld item) are worth a frame of
     * their own (a client waits on them), and a hold begun or ended
     * (credit.h); "received" rides on the next batch or heartbeat. */
    if (causal_processed_for(p) != p->told_processed || causal_withheld_untold(p) ||
        credit_hold_untold(p))
        session_send_control(p, WIRE_ACK);
    else if (now - p->last_sent_ms >= TRANSPORT_HEARTBEAT_MS)
        session_send_control(p, WIRE_HEARTBEAT);
    rtt_timer(p, now); /* under traffic too (rtt.h) */
}

/* Ends the epoch for the proxies made in it and returns it, or keeps it
 * for the next session if there are none (nothing can be sent through
 * it, nothing monitored) and returns NULL. */
static peer_epoch *end_epoch(peer *p) {
    peer_epoch *old = peer_current_epoch(p);
    if (atomic_load_explicit(&old->proxies, memory_order_relaxed) == 0)
        return NULL; /* a proxy made at this moment simply belongs to the next session */
    peer_epoch *next = new_epoch(p);
    next->previous = old;
    /* Release: a sender that sees the new epoch, or the old one dead, also
     * sees everything before (peer_epoch_is_dead's acquire). */
    atomic_store_explicit(&p->epoch, next, memory_order_release);
    atomic_store_explicit(&old->dead, true, memory_order_release);
    return old;
}

static bool in_epoch(actor *proxy, void *epoch) { return proxy_epoch(proxy) == epoch; }

static void remember_incarnation(peer *p, uint32_t incarnation) {
    if (incarnation == 0 || incarnation == p->old_incarnations[0])
        return;
    memmove(p->old_incarnations + 1, p->old_incarnations,
            sizeof p->old_incarnations - sizeof p->old_incarnations[0]);
    p->old_incarnations[0] = incarnation;
}

peer_epoch *session_epoch_for_ref(peer *p, uint32_t incarnation) {
    peer_epoch *current = peer_current_epoch(p);
    if (incarnation == 0 || incarnation == current->incarnation)
        return current;
    for (size_t i = 0; i < PEER_OLD_INCARNATIONS; i++)
        if (p->old_incarnations[i] == incarnation) {
            if (!p->graveyard) {
                p->graveyard = new_epoch(p);
                atomic_store_explicit(&p->graveyard->dead, true, memory_order_relaxed);
            }
            return p->graveyard; /* an actor of a process that has ended */
        }
    if (current->incarnation != 0) /* the reference is news: it restarted */
        session_lost(p, "a reference from its new incarnation arrived");
    current = peer_current_epoch(p);
    current->incarnation = incarnation; /* its HELLO will say the same */
    return current;
}

void session_lost(peer *p, const char *why) {
    remember_incarnation(p, peer_current_epoch(p)->incarnation);
    peer_epoch *ended = end_epoch(p);
    peer_current_epoch(p)->incarnation = 0; /* until its HELLO (or a reference) says */
    int reported;
    int lost = session_dead_letter_all(p, &reported);
    credit_lost(p);
    p->session_gen++; /* seqs start over: causes from before name nothing (peer.h) */
    rtt_reset(p);
    if (ended) {
        monitor_remote_lost(in_epoch, ended); /* its actors are down (ALOX_DOWN_NODE_LOST) */
        proxy_retire_epoch(ended);            /* their memory goes back later (proxy.h) */
    }
    peer_stats_session(&p->stats, false);
    if (p->their_session == 0) /* never in session: nothing was lost, it was never reached */
        fprintf(stderr, "alox: %s: peer %s unreachable (%s; %s); %d message%s reported as dead "
                        "letters\n",
                transport.node, p->name, why,
                p->endpoint[0] ? "nothing trusted answered at its address"
                               : "no address is known for it: give --alox-peer NAME=tcp://HOST:PORT",
                reported, reported == 1 ? "" : "s");
    else
        fprintf(stderr, "alox: %s: peer %s lost (%s); %d unacknowledged message%s reported as dead "
                        "letters (%d more it proved it ran)\n",
                transport.node, p->name, why, reported, reported == 1 ? "" : "s", lost - reported);
    if (lost)
        scheduler_release_remote(lost);
    if (p->records_last) { /* still counted down by workers; freed when done */
        p->records_last->next = transport.orphans;
        transport.orphans = p->records_first;
    }
    p->records_first = p->records_last = NULL;
    p->noted = false;
    p->noted_seq = 0;
    p->nacked_seq = 0;
    p->expected_seq = 1;
    p->received_seq = p->processed_seq = p->told_received = p->told_processed = 0;
    causal_session_lost(p);
    p->their_session = 0;
    p->our_session = random_token();
    p->route_size = 0;
    p->last_heard_ms = transport_now_ms();
    if (p->dealer)
        session_send_hello(p);
    if (lost_handler)
        lost_handler(p->name);
}
