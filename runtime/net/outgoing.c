/* outgoing.c - the sending side of a peer session, on the mailman thread.
 *
 * Messages for a peer wait in its list (peer.h: unacked_first..) from the
 * moment the outbox hands them over until the peer says it has processed
 * them. They are encoded into BATCH frames only at flush time, from
 * send_next on, and only while fewer than TRANSPORT_WINDOW_ITEMS are in
 * flight: so a peer with no route yet, or a slow one, costs memory for
 * its queued messages and nothing else (no open batch grows without
 * bound, no abort), and a peer that missed frames (a sequence gap after a
 * dropped connection) gets them again: send_next is rewound to the first
 * item it has not received, on its NACK or after TRANSPORT_RESEND_MS of
 * silence. The receiver drops what it already has (inbound.c), so a
 * resend never runs a message twice. */
#include "transport_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address_book.h"
#include "credit.h"
#include "core/scheduler.h"
#include "proxy.h"
#include "support/dead_letter.h"
#include "support/grace.h"

static bool has_route(const peer *p) { return p->dealer != NULL || p->route_size > 0; }

/* A queued message's cause (peer.h, caused_by) lives in its outbox link,
 * base.node, which nothing uses once the message is handed over (transport.c
 * reads the link before it calls session_queue): the remote header stays
 * 48 bytes, so a small message stays in the pool's 64-byte class. */
_Static_assert(sizeof(uintptr_t) >= sizeof(uint64_t), "a cause must fit in a pointer");
static void set_cause(remote_message *m, uint64_t cause) {
    /* Relaxed: the mailman's own field from here on. */
    atomic_store_explicit(&m->base.node.next, (mailbox_node *)(uintptr_t)cause, memory_order_relaxed);
}
static uint64_t cause_of(remote_message *m) {
    return (uint64_t)(uintptr_t)atomic_load_explicit(&m->base.node.next, memory_order_relaxed);
}

void session_queue(peer *p, remote_message *m) {
    if (!has_route(p))
        address_book_connect(p); /* first use of a peer we only know the address of */
    uint64_t packed = m->seq, mask = (1ull << SESSION_CAUSE_BITS) - 1;
    uint32_t gen_mask = (uint32_t)((1ull << (64 - SESSION_CAUSE_BITS)) - 1);
    /* A cause from an ended session names nothing now (seqs start over). */
    set_cause(m, (uint32_t)(packed >> SESSION_CAUSE_BITS) == (p->session_gen & gen_mask) ? packed & mask : 0);
    m->seq = p->next_seq++;
    m->next = NULL;
    if (p->unacked_last) {
        p->unacked_last->next = m;
    } else {
        p->unacked_first = m;
        p->outstanding_since_ms = transport_now_ms();
    }
    p->unacked_last = m;
    if (!p->send_next)
        p->send_next = m;
    peer_stats_message_out(&p->stats);
}

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
            if (!(flags & ACTOR_PROXY))
                r.incarnation = transport.incarnation;
            else if (proxy_epoch(a)) /* its owner's, as far as we know */
                r.incarnation = proxy_epoch(a)->incarnation;
            r.id = a->id;
            r.type_hash = a->type->name_hash;
        }
        grace_exit();
        refs[n++] = r;
    }
    return n;
}

static void encode_item(peer *p, remote_message *m) {
    const alox_behaviour_desc *b = message_behaviour(&m->base);
    actor *target = m->link;
    if (transport_is_spawn(b)) {
        uint64_t type_hash;
        memcpy(&type_hash, message_args(&m->base), sizeof type_hash);
        wire_batch_item(&p->batch, WIRE_OP_SPAWN, target->id, 0, type_hash, 0, NULL, 0, NULL, 0);
        return;
    }
    wire_ref refs[WIRE_MAX_REFS];
    uint16_t ref_count = b->ref_count <= WIRE_MAX_REFS ? wire_refs_of(m, refs) : 0;
    wire_batch_item(&p->batch, WIRE_OP_SEND, target->id, 0, b->name_hash, b->signature_hash,
                    message_args(&m->base), b->args_size, refs, ref_count);
    if (m->trace)
        wire_batch_item_trace(&p->batch, m->trace);
    if (cause_of(m))
        wire_batch_item_caused(&p->batch, cause_of(m));
    uint16_t root = causal_root_of(m);
    if (root) /* without it, the root is this node (causal.h) */
        wire_batch_item_root(&p->batch, root);
}

/* While the peer holds us (credit.h) only resends go out. */
static bool in_window(const peer *p, const remote_message *m, bool final) {
    if (final)
        return true;
    if (p->peer_holds && m->seq > p->sent_seq)
        return false;
    return m->seq <= p->acked_received + TRANSPORT_WINDOW_ITEMS;
}

/* Encodes one BATCH frame from send_next on; returns its last item. */
static remote_message *encode_batch(peer *p, uint32_t budget, bool final) {
    session_begin_frame(p, &p->batch, WIRE_BATCH);
    wire_batch_start(&p->batch, p->send_next->seq);
    remote_message *m = p->send_next, *last = NULL;
    for (uint32_t n = 0; m && n < budget && n < WIRE_MAX_ITEMS && in_window(p, m, final) &&
                         p->batch.size < TRANSPORT_BATCH_BYTES;
         n++) {
        encode_item(p, m);
        last = m;
        m = m->next;
    }
    return last;
}

static void end_probe(peer *p);

uint32_t session_flush(peer *p, uint32_t budget, bool final) {
    uint32_t used = 0;
    while (p->send_next && has_route(p) && used < budget && in_window(p, p->send_next, final)) {
        remote_message *last = encode_batch(p, budget - used, final);
        /* The acknowledgement of the frames whose sends these are rides in
         * this frame's header, with them (session_ack_ready). */
        session_ack_ready(p, last->seq);
        if (!session_send_frame(p, &p->batch))
            break; /* no route, or the socket is full: encoded again later */
        used += (uint32_t)(last->seq - p->send_next->seq + 1);
        if (last->seq > p->sent_seq)
            p->sent_seq = last->seq;
        if (p->unreceived_since_ms == 0)
            p->unreceived_since_ms = transport_now_ms();
        p->send_next = last->next;
        if (p->probe_resume_seq) {
            end_probe(p);
            break;
        }
    }
    return used;
}

/* Sends again, from the first item the peer has not received. A probe
 * sends one frame of it and then goes on where it was: after a silence
 * the peer may simply be slow to read (a duplicate costs it little),
 * and if the items were really lost, the next frame it gets shows it the
 * gap and its NACK brings the full resend. */
static void rewind_unreceived(peer *p, int64_t now, bool probe) {
    remote_message *m = p->unacked_first;
    while (m && m->seq <= p->acked_received)
        m = m->next;
    if (!m || m->seq > p->sent_seq || (p->send_next && p->send_next->seq <= m->seq))
        return; /* nothing in flight, or already being sent again */
    if (p->rewound_to == m->seq && now - p->rewound_ms < TRANSPORT_RESEND_MS)
        return; /* asked twice for the same gap: the resend is on its way */
    p->probe_resume_seq = probe ? (p->send_next ? p->send_next->seq : p->next_seq) : 0;
    if (!probe) /* one line per gap the peer reported (NACKs are once per gap) */
        fprintf(stderr, "alox: %s: %s missed items from %llu on: sending them again\n", transport.node,
                p->name, (unsigned long long)m->seq);
    p->send_next = m;
    p->rewound_to = m->seq;
    p->rewound_ms = now;
    counter_add(&p->stats.resends, 1);
}

void session_on_nack(peer *p) { rewind_unreceived(p, transport_now_ms(), false); }

void session_resend_timer(peer *p, int64_t now) {
    if (p->sent_seq > p->acked_received && p->unreceived_since_ms &&
        now - p->unreceived_since_ms > TRANSPORT_RESEND_MS)
        rewind_unreceived(p, now, true);
}

/* After a probe's one frame: on to where the queue was. */
static void end_probe(peer *p) {
    while (p->send_next && p->send_next->seq < p->probe_resume_seq)
        p->send_next = p->send_next->next;
    p->probe_resume_seq = 0;
}

/* Proofs (peer.h, caused_by): one bit per seq, at seq modulo
 * PEER_PROOF_BITS, for seqs from the oldest unacknowledged one on; a
 * message's bit is cleared when it goes, so a bit never outlives its seq. */
static uint64_t proof_mask(uint64_t seq) { return 1ull << (seq % 64); }
static uint64_t *proof_word(peer *p, uint64_t seq) { return &p->proven[(seq % PEER_PROOF_BITS) / 64]; }

void session_on_proof(peer *p, uint64_t seq) {
    /* Only what we sent in this session and still keep, within the map:
     * a peer's word can mark nothing else. */
    if (!p->unacked_first || seq < p->unacked_first->seq || seq > p->sent_seq ||
        seq - p->unacked_first->seq >= PEER_PROOF_BITS)
        return;
    if (!p->proven && !(p->proven = calloc(PEER_PROOF_BITS / 64, sizeof *p->proven)))
        return; /* no memory: the message is reported as before */
    *proof_word(p, seq) |= proof_mask(seq);
}

/* m goes: was it proved to have run? (and its bit is cleared) */
static bool take_proof(peer *p, const remote_message *m) {
    if (!p->proven)
        return false;
    uint64_t *word = proof_word(p, m->seq), mask = proof_mask(m->seq);
    bool proven = (*word & mask) != 0;
    *word &= ~mask;
    return proven;
}

static void release(remote_message *m) { causal_free(m); }

/* Walks a header's withheld list (increasing seqs) alongside our own
 * increasing seqs: is seq named? */
typedef struct named_walk {
    const wire_frame *f;
    uint32_t at;
} named_walk;

static bool named(named_walk *w, uint64_t seq) {
    while (w->at < w->f->withheld_count && wire_withheld(w->f, w->at) < seq)
        w->at++;
    return w->at < w->f->withheld_count && wire_withheld(w->f, w->at) == seq;
}

static void keep_withheld(peer *p, remote_message *m) {
    m->next = NULL;
    if (p->withheld_last)
        p->withheld_last->next = m;
    else
        p->withheld_first = m;
    p->withheld_last = m;
}

/* The kept ones the header covers and no longer names are done. They are
 * older than every unacknowledged message, so one walk serves both. */
static int release_done(peer *p, uint64_t processed, named_walk *w) {
    int released = 0;
    remote_message *kept = p->withheld_first;
    p->withheld_first = p->withheld_last = NULL;
    for (remote_message *m = kept, *next; m; m = next) {
        next = m->next;
        if (m->seq > processed || named(w, m->seq)) {
            keep_withheld(p, m);
        } else {
            release(m);
            released++;
        }
    }
    return released;
}

/* Acknowledgements from the peer: release what it has processed, except
 * the items it says are not done yet (causal.h), until it stops naming
 * them in a header that covers them. A peer cannot acknowledge what we
 * never sent. */
void session_on_acks(peer *p, const wire_frame *f) {
    uint64_t received = f->ack_received, processed = f->ack_processed;
    if (received > p->sent_seq)
        received = p->sent_seq;
    if (processed > received)
        processed = received;
    if (received > p->acked_received) {
        credit_settle(p, received - p->acked_received);
        p->acked_received = received;
        p->unreceived_since_ms = received >= p->sent_seq ? 0 : transport_now_ms();
        /* Items of an earlier send arrived after all: no need to resend them. */
        while (p->send_next && p->send_next->seq <= received)
            p->send_next = p->send_next->next;
    }
    named_walk walk = {f, 0};
    int released = p->withheld_first ? release_done(p, processed, &walk) : 0;
    while (p->unacked_first && p->unacked_first->seq <= processed) {
        remote_message *m = p->unacked_first;
        p->unacked_first = m->next;
        if (p->send_next == m)
            p->send_next = m->next;
        take_proof(p, m); /* it leaves the list: its bit goes */
        if (f->withheld_count && named(&walk, m->seq)) {
            keep_withheld(p, m); /* processed, not done */
            continue;
        }
        release(m);
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

static int dead_letter_queue(peer *p, alox_dead_reason reason, int *reported) {
    int count = 0;
    *reported = 0;
    credit_settle(p, p->next_seq - 1 - p->acked_received); /* every one not received */
    for (remote_message *m = p->unacked_first, *next; m; m = next) {
        next = m->next;
        actor *target = m->link;
        /* A spawn too: the actor it was to make never ran (issue 13). Not
         * one the peer proved ran: its effects were seen (peer.h). */
        if (!take_proof(p, m)) {
            dead_letter_report(reason, target->id, message_behaviour(&m->base), message_args(&m->base));
            ++*reported;
        }
        release(m);
        count++;
    }
    int kept = 0;
    for (remote_message *m = p->withheld_first, *next; m; m = next, kept++) {
        next = m->next; /* it ran: no dead letter, but nobody will say it is done */
        release(m);
    }
    p->withheld_first = p->withheld_last = NULL;
    if (kept)
        scheduler_release_remote(kept);
    p->unacked_first = p->unacked_last = p->send_next = NULL;
    p->next_seq = 1;
    p->sent_seq = p->acked_received = 0;
    p->rewound_to = p->probe_resume_seq = 0;
    p->unreceived_since_ms = p->outstanding_since_ms = 0;
    p->batch.size = 0;
    return count;
}

int session_dead_letter_all(peer *p, int *reported) { return dead_letter_queue(p, ALOX_DEAD_PEER_LOST, reported); }

/* At a stop signal: nothing queued will be sent, nothing sent and not
 * acknowledged is known to have run. */
int session_abandon(peer *p) {
    int reported;
    return dead_letter_queue(p, ALOX_DEAD_ENDED, &reported);
}
