/* session.c - peer sessions on the mailman thread: HELLO, acknowledgements,
 * outgoing batches, heartbeats and loss. See peer.h for the model. */
#include "transport_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <zmq.h>

#include "address_book.h"
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
    /* acq_rel: release orders the behaviour's sends (already in the
     * outbox) before the acknowledgement; acquire makes the last
     * decrementer see the others' effects. */
    return atomic_fetch_sub_explicit(&r->remaining, 1, memory_order_acq_rel) == 1;
}

uint16_t session_node_id(const char *name) { return node_id_of(name); }

static uint64_t random_token(void) {
    uint64_t token = 0;
    while (token == 0)
        if (getrandom(&token, sizeof token, 0) != sizeof token)
            alox_fatal("cannot read random bytes for a session token");
    return token;
}

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
    p->last_heard_ms = transport_now_ms();
    wire_buffer_init(&p->batch);
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

void session_begin_frame(peer *p, wire_buffer *b, uint8_t kind) {
    wire_begin(b, kind, transport.node_id, p->our_session, p->their_session);
}

bool session_send_frame(peer *p, wire_buffer *b) {
    wire_set_acks(b, p->received_seq, p->processed_seq);
    wire_finish(b);
    int rc;
    if (p->dealer) {
        /* DONTWAIT: a dealer whose CURVE handshake was refused (the peer
         * does not trust our key) has no pipe, and a blocking send would
         * stop the mailman, and the whole node with it, for good. */
        rc = zmq_send(p->dealer, b->data, b->size, ZMQ_DONTWAIT);
    } else if (p->route_size) {
        rc = zmq_send(transport.router, p->route, p->route_size, ZMQ_SNDMORE);
        if (rc >= 0)
            rc = zmq_send(transport.router, b->data, b->size, 0);
    } else {
        return false;
    }
    if (rc < 0) { /* the route is gone (ROUTER_MANDATORY): it must say HELLO again */
        p->route_size = 0;
        return false;
    }
    p->told_received = p->received_seq;
    p->told_processed = p->processed_seq;
    p->last_sent_ms = transport_now_ms();
    peer_stats_frame_out(&p->stats, b->size);
    return true;
}

static void send_control(peer *p, uint8_t kind) {
    session_begin_frame(p, &transport.scratch, kind);
    if (kind == WIRE_HELLO)
        wire_put_hello(&transport.scratch, transport.node);
    session_send_frame(p, &transport.scratch);
}

void session_send_hello(peer *p) { send_control(p, WIRE_HELLO); }

/* ---------------------------------------------------------------------
 * Outgoing.
 * ------------------------------------------------------------------- */

/* Translates the actor references in m's args to wire refs, exporting
 * local actors so replies can find them. */
static uint16_t wire_refs_of(remote_message *m, wire_ref *refs) {
    const alox_behaviour_desc *b = message_behaviour(&m->base);
    const char *args = message_args(&m->base);
    uint16_t n = 0;
    for (uint32_t i = 0; i < b->ref_count; i++) {
        if (b->refs[i].kind != ALOX_REF_ACTOR)
            continue; /* stage pointers are NULL here: transport_send checked */
        void *body;
        memcpy(&body, args + b->refs[i].offset, sizeof body);
        wire_ref r = {b->refs[i].offset, ALOX_REF_ACTOR, 0, 0, b->refs[i].type_hash};
        actor *a = body ? actor_of(body) : NULL;
        grace_enter(); /* a local actor may stop and be freed meanwhile */
        uint32_t flags = a ? atomic_load_explicit(&a->flags, memory_order_acquire) : 0;
        if (a && a->magic == ACTOR_MAGIC) { /* freed: goes as a null reference */
            if (!(flags & (ACTOR_PROXY | ACTOR_STOPPED))) /* a stopped one's memory is going */
                proxy_export(a);
            r.id = a->id;
            r.type_hash = a->type->name_hash;
        }
        grace_exit();
        refs[n++] = r;
    }
    return n;
}

static void append_unacked(peer *p, remote_message *m) {
    m->next = NULL;
    if (p->unacked_last)
        p->unacked_last->next = m;
    else {
        p->unacked_first = m;
        p->outstanding_since_ms = transport_now_ms();
    }
    p->unacked_last = m;
}

void session_queue(peer *p, remote_message *m) {
    const alox_behaviour_desc *b = message_behaviour(&m->base);
    actor *target = m->link;
    if (!has_route(p))
        address_book_connect(p); /* first use of a peer we only know the address of */
    if (p->batch_items == 0) {
        session_begin_frame(p, &p->batch, WIRE_BATCH);
        wire_batch_start(&p->batch, p->next_seq);
    }
    m->seq = p->next_seq++;
    if (transport_is_spawn(b)) {
        uint64_t type_hash;
        memcpy(&type_hash, message_args(&m->base), sizeof type_hash);
        wire_batch_item(&p->batch, WIRE_OP_SPAWN, target->id, 0, type_hash, 0, NULL, 0, NULL, 0);
    } else {
        wire_ref refs[WIRE_MAX_REFS];
        uint16_t ref_count = b->ref_count <= WIRE_MAX_REFS ? wire_refs_of(m, refs) : 0;
        wire_batch_item(&p->batch, WIRE_OP_SEND, target->id, 0, b->name_hash, b->signature_hash,
                        message_args(&m->base), b->args_size, refs, ref_count);
        if (m->trace)
            wire_batch_item_trace(&p->batch, m->trace);
    }
    p->batch_items++;
    peer_stats_message_out(&p->stats);
    append_unacked(p, m);
    if (p->batch.size >= TRANSPORT_BATCH_BYTES)
        session_flush(p);
}

void session_flush(peer *p) {
    if (p->batch_items == 0 || !has_route(p))
        return;
    if (!session_send_frame(p, &p->batch))
        return; /* kept; sent when a route comes back, or dead-lettered at loss */
    if (p->unreceived_since_ms == 0)
        p->unreceived_since_ms = transport_now_ms();
    p->batch_items = 0;
}

/* Acknowledgements from the peer: release what it has processed. */
static void on_acks(peer *p, uint64_t received, uint64_t processed) {
    if (received > p->acked_received) {
        p->acked_received = received;
        p->unreceived_since_ms = received + 1 >= p->next_seq - p->batch_items ? 0 : transport_now_ms();
    }
    int released = 0;
    while (p->unacked_first && p->unacked_first->seq <= processed) {
        remote_message *m = p->unacked_first;
        p->unacked_first = m->next;
        message_free(&m->base);
        released++;
    }
    if (!p->unacked_first) {
        p->unacked_last = NULL;
        p->outstanding_since_ms = 0;
    } else if (released) {
        p->outstanding_since_ms = transport_now_ms();
    }
    if (released)
        scheduler_release_remote(released);
}

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
    if (f->sender_session != p->their_session) {
        if (p->their_session != 0)
            session_lost(p, "it started a new session (restarted?)");
        p->their_session = f->sender_session;
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
    switch (f->kind) {
    case WIRE_BATCH: inbound_batch(p, f); break;
    case WIRE_LOOKUP: remote_serve_lookup(p, f); break;
    case WIRE_LOOKUP_REPLY: remote_lookup_reply(p, f); break;
    case WIRE_ADDRESSES: address_book_on_frame(p, f); break;
    case WIRE_SPAWN_REFUSED: transport_spawn_refused(p, f->u.spawn_refused.id); break;
    default: break; /* HEARTBEAT, ACK: the header said it all */
    }
    /* Acknowledgements last: the messages in this frame (sent by the
     * behaviours being acknowledged) must be in mailboxes before the holds
     * are released, or a client could see a moment of quiescence. */
    on_acks(p, f->ack_received, f->ack_processed);
}

/* Acknowledging "processed" promises that the messages those behaviours
 * sent are already on their way, ahead of the acknowledgement. So: first
 * note how far the frames are done (their sends are in the outbox by
 * then), then encode the outbox, and only when it is empty make the noted
 * position the one we tell. */
void session_note_processed(peer *p) {
    frame_record *r = p->records_first;
    while (r && atomic_load_explicit(&r->remaining, memory_order_acquire) == 0) {
        p->noted_seq = r->last_seq;
        r = r->next;
    }
}

void session_apply_processed(peer *p) {
    while (p->records_first && p->records_first->last_seq <= p->noted_seq) {
        frame_record *r = p->records_first;
        p->processed_seq = r->last_seq;
        p->records_first = r->next;
        free(r);
    }
    if (!p->records_first)
        p->records_last = NULL;
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
void session_timers(peer *p, int64_t now) {
    int64_t timeout = transport.peer_timeout_ms;
    int64_t quiet_since = p->last_heard_ms > p->outstanding_since_ms ? p->last_heard_ms
                                                                      : p->outstanding_since_ms;
    if ((p->their_session != 0 && now - p->last_heard_ms > timeout) ||
        (p->unacked_first && now - quiet_since > timeout)) {
        session_lost(p, "no sign of life");
        return;
    }
    /* Only a peer in session can fail to acknowledge; before its HELLO the
     * silence rule above applies. */
    if (p->their_session != 0 && p->unreceived_since_ms && now - p->unreceived_since_ms > timeout &&
        now - p->session_start_ms > timeout) {
        session_lost(p, "it stopped acknowledging");
        return;
    }
    if (p->their_session == 0 || !has_route(p))
        return;
    /* Only "processed" is worth a frame of its own (a client waits on it);
     * "received" rides on the next batch or heartbeat. */
    bool owe_ack = p->processed_seq != p->told_processed;
    if (p->batch_items == 0 && owe_ack)
        send_control(p, WIRE_ACK);
    else if (now - p->last_sent_ms >= TRANSPORT_HEARTBEAT_MS && p->batch_items > 0)
        session_flush(p); /* the batch is the heartbeat: a bare one would carry the
                             acknowledgement ahead of the replies in the batch */
    else if (now - p->last_sent_ms >= TRANSPORT_HEARTBEAT_MS)
        send_control(p, WIRE_HEARTBEAT);
}

static int dead_letter_all(peer *p) {
    int count = 0;
    for (remote_message *m = p->unacked_first, *next; m; m = next) {
        next = m->next;
        actor *target = m->link;
        const alox_behaviour_desc *b = message_behaviour(&m->base);
        /* A spawn too: the actor it was to make never ran (issue 13). */
        dead_letter_report(ALOX_DEAD_PEER_LOST, target->id, b, message_args(&m->base));
        message_free(&m->base);
        count++;
    }
    p->unacked_first = p->unacked_last = NULL;
    return count;
}

int session_abandon(peer *p) {
    int count = 0;
    for (remote_message *m = p->unacked_first, *next; m; m = next) {
        next = m->next;
        actor *target = m->link;
        dead_letter_report(ALOX_DEAD_ENDED, target->id, message_behaviour(&m->base),
                           message_args(&m->base));
        message_free(&m->base);
        count++;
    }
    p->unacked_first = p->unacked_last = NULL;
    p->outstanding_since_ms = 0;
    p->batch_items = 0; /* never sent: they did not run */
    p->batch.size = 0;
    return count;
}

static bool in_epoch(actor *proxy, void *epoch) { return proxy_epoch(proxy) == epoch; }

void session_lost(peer *p, const char *why) {
    peer_epoch *old = peer_current_epoch(p);
    peer_epoch *next = new_epoch(p);
    next->previous = old;
    /* Release: a sender that sees the new epoch, or the old one dead, also
     * sees everything before (peer_epoch_is_dead's acquire). */
    atomic_store_explicit(&p->epoch, next, memory_order_release);
    atomic_store_explicit(&old->dead, true, memory_order_release);
    int lost = dead_letter_all(p);
    monitor_remote_lost(in_epoch, old); /* its actors are down (ALOX_DOWN_NODE_LOST) */
    peer_stats_session(&p->stats, false);
    if (p->their_session == 0) /* never in session: nothing was lost, it was never reached */
        fprintf(stderr, "alox: %s: peer %s unreachable (%s; %s); %d message%s reported as dead "
                        "letters\n",
                transport.node, p->name, why,
                p->endpoint[0] ? "nothing trusted answered at its address"
                               : "no address is known for it: give --alox-peer NAME=tcp://HOST:PORT",
                lost, lost == 1 ? "" : "s");
    else
        fprintf(stderr, "alox: %s: peer %s lost (%s); %d unacknowledged message%s reported as dead "
                        "letters\n",
                transport.node, p->name, why, lost, lost == 1 ? "" : "s");
    if (lost)
        scheduler_release_remote(lost);
    p->batch_items = 0;
    p->batch.size = 0;
    p->next_seq = 1;
    p->acked_received = 0;
    p->unreceived_since_ms = p->outstanding_since_ms = 0;
    if (p->records_last) { /* still counted down by workers; freed when done */
        p->records_last->next = transport.orphans;
        transport.orphans = p->records_first;
    }
    p->records_first = p->records_last = NULL;
    p->noted_seq = 0;
    p->expected_seq = 1;
    p->received_seq = p->processed_seq = p->told_received = p->told_processed = 0;
    p->their_session = 0;
    p->our_session = random_token();
    p->route_size = 0;
    p->last_heard_ms = transport_now_ms();
    if (p->dealer)
        session_send_hello(p);
    if (lost_handler)
        lost_handler(p->name);
}
