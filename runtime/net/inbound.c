/* inbound.c - delivering the items of a received BATCH frame into local
 * mailboxes, on the mailman thread. Every field of the frame was
 * validated by wire_decode_frame; here each item is checked against what
 * this program knows (the target actor, the behaviour and its signature)
 * and either delivered or reported as a dead letter with the reason. */
#include "transport_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/dead_letter.h"
#include "support/grace.h"
#include "support/platform.h"
#include "credit.h"
#include "proxy.h"
#include "support/idmap.h"
#include "support/registry.h"
#include "core/monitor.h"
#include "core/scheduler.h"
#include "core/trace.h"

/* Proxies one peer session may make us create for references it sends
 * (peer-chosen ids): bounds the memory a peer can take (about 200 bytes a
 * proxy). A program that truly passes more remote references through one
 * peer raises it. */
#define INBOUND_MAX_PEER_PROXIES (1u << 20)
#define INBOUND_LOG_EVERY 1000 /* log lines about a peer over the bound: one per this many */

static uint16_t node_of(uint64_t id) { return (uint16_t)(id >> 48); }

/* The descriptor's actor references must be exactly the wire's refs. */
static bool refs_match(const alox_behaviour_desc *b, const wire_item *item) {
    uint16_t n = 0;
    for (uint32_t i = 0; i < b->ref_count; i++) {
        if (b->refs[i].kind != ALOX_REF_ACTOR)
            continue;
        if (n >= item->ref_count)
            return false;
        wire_ref r = wire_item_ref(item, n);
        /* The declared type of the parameter, not the peer's word, types the
         * proxy: a peer cannot fix another type on an actor (issue 13). */
        bool any_type = b->refs[i].type_hash == 0; /* runtime behaviours that take any actor */
        if (r.offset != b->refs[i].offset || (!any_type && r.type_hash != b->refs[i].type_hash))
            return false;
        n++;
    }
    return n == item->ref_count;
}

/* A wire reference as a local pointer: the exported actor, or a proxy of
 * the node the id names (never of the peer that sent it). False if `from`
 * has made us create more proxies than INBOUND_MAX_PEER_PROXIES. */
static bool resolve(peer *from, const wire_ref *r, void **out) {
    *out = NULL;
    if (r->id == 0)
        return true;
    if (node_of(r->id) == transport.node_id) {
        actor *a = proxy_find_export(r->id);
        *out = a ? actor_body(a) : NULL;
        return true;
    }
    if (from->proxies_made >= INBOUND_MAX_PEER_PROXIES)
        return false;
    peer *owner = session_by_node(node_of(r->id));
    peer_epoch *epoch = owner ? session_epoch_for_ref(owner, (uint32_t)r->incarnation) : NULL;
    if (epoch && epoch == owner->graveyard) { /* never aliased with the new incarnation's actor */
        *out = actor_body(proxy_dead(r->id, r->type_hash, epoch));
        from->proxies_made++;
        return true;
    }
    uint64_t before = proxy_made_count();
    *out = actor_body(proxy_for(r->id, r->type_hash, epoch));
    if (proxy_made_count() != before)
        from->proxies_made++;
    return true;
}

/* Remote-spawn ids (remote.c): the flag bit of the serial, then the
 * requester's node id. */
#define SPAWN_SERIAL_FLAG (1ull << 47)
#define SPAWN_REQUESTER_SHIFT 31

static bool is_spawned_id(uint64_t id) { return (id & SPAWN_SERIAL_FLAG) != 0; }
static uint16_t spawn_requester(uint64_t id) { return (uint16_t)(id >> SPAWN_REQUESTER_SHIFT); }

/* Mailman: spawned id -> the requester's session token when it spawned it. */
static idmap spawn_sessions = IDMAP_INITIALIZER;

static void refuse_spawn(peer *p, uint64_t id, const char *problem) {
    fprintf(stderr, "alox: %s: refused to spawn actor %llx for %s: %s (a dead letter there)\n",
            transport.node, (unsigned long long)id, p->name, problem);
    session_begin_frame(p, &transport.scratch, WIRE_SPAWN_REFUSED);
    wire_put_spawn_refused(&transport.scratch, id);
    session_send_frame(p, &transport.scratch);
}

static void spawn_item(peer *p, const wire_item *item) {
    const alox_type_desc *type = registry_type_by_hash(item->behaviour);
    const char *problem = NULL;
    if (!type)
        problem = "its actor type is not linked into this program";
    else if (node_of(item->target) != transport.node_id)
        problem = "the id is not of this node";
    else if (!is_spawned_id(item->target) || spawn_requester(item->target) != p->node_id)
        problem = "the id is not in that node's space (a node spawns only under its own ids)";
    else if (proxy_find_export(item->target))
        problem = "an actor with that id exists (made for an earlier run of that node?)";
    if (problem) {
        refuse_spawn(p, item->target, problem);
        return;
    }
    idmap_put(&spawn_sessions, item->target, (void *)(uintptr_t)p->their_session);
    proxy_export(actor_spawn_with_id(type, item->target, 0));
}

/* Mailman: may p send to the actor with this id? An actor spawned for p
 * answers only the incarnation that spawned it (others may still send to
 * it with a reference they were given). */
static bool spawned_for_another_run(peer *p, uint64_t id) {
    if (!is_spawned_id(id) || spawn_requester(id) != p->node_id)
        return false;
    return (uint64_t)(uintptr_t)idmap_get(&spawn_sessions, id) != p->their_session;
}

/* A monitor's registration or cancel (monitor.h) is taken here, on
 * arrival, not through the target's mailbox; a target this node does not
 * have, or that stopped, is "down" at once. Returns false for any other
 * item. */
static bool monitor_request(peer *p, const wire_item *item, const alox_behaviour_desc *b, actor *target) {
    char args[64];
    if (!b || !monitor_is_wire_behaviour(b) || b->args_size > sizeof args ||
        item->args_size != b->args_size || b->signature_hash != item->signature || !refs_match(b, item))
        return false;
    if (node_of(item->target) != transport.node_id)
        return monitor_is_far_request(b); /* a node speaks only for its own actors */
    memcpy(args, item->args, b->args_size);
    for (uint16_t i = 0; i < item->ref_count; i++) {
        wire_ref r = wire_item_ref(item, i);
        void *pointer;
        if (!resolve(p, &r, &pointer))
            return false; /* over the peer's proxy bound: a dead letter */
        memcpy(args + r.offset, &pointer, sizeof pointer);
    }
    return monitor_far_request(target, item->target, b, args);
}

/* Delivers one SEND item; returns true if it went into a mailbox. Inside
 * grace_enter: the target may stop and have its memory freed meanwhile. */
static bool deliver_item(peer *p, frame_record *record, const wire_item *item) {
    actor *target = node_of(item->target) == transport.node_id ? proxy_find_export(item->target) : NULL;
    const alox_behaviour_desc *b = registry_behaviour_by_hash(item->behaviour);
    if (target && spawned_for_another_run(p, item->target))
        target = NULL; /* a restarted requester never reaches its previous run's actor */
    if (monitor_request(p, item, b, target))
        return false; /* taken on arrival: nothing for a mailbox */
    if (!target) {
        dead_letter_report(ALOX_DEAD_NO_SUCH_ACTOR, item->target, b, NULL);
        return false;
    }
    if (!actor_takes_messages(target)) { /* exported, then stopped */
        dead_letter_report(ALOX_DEAD_STOPPED, item->target, b, NULL);
        return false;
    }
    if (!b || (b->type_hash != target->type->name_hash && !monitor_is_wire_behaviour(b))) {
        dead_letter_report(ALOX_DEAD_UNKNOWN_BEHAVIOUR, item->target, b, NULL);
        return false;
    }
    if (b->signature_hash != item->signature || b->args_size != item->args_size ||
        !refs_match(b, item)) {
        dead_letter_report(ALOX_DEAD_SIGNATURE_MISMATCH, item->target, b, NULL);
        return false;
    }
    remote_message *m = message_new_remote(b, item->args);
    m->link = record;
    m->seq = item->seq; /* what the sends its run makes back to p prove (peer.h) */
    char *args = message_args(&m->base);
    for (uint32_t i = 0; i < b->ref_count; i++) /* a stage slot from afar is no pointer of ours */
        if (b->refs[i].kind == ALOX_REF_STAGE)
            memset(args + b->refs[i].offset, 0, sizeof(void *));
    for (uint16_t i = 0; i < item->ref_count; i++) {
        wire_ref r = wire_item_ref(item, i);
        void *pointer;
        if (!resolve(p, &r, &pointer)) {
            dead_letter_report(ALOX_DEAD_TOO_LARGE, item->target, b, NULL);
            if (atomic_fetch_add(&transport.malformed, 1) % INBOUND_LOG_EVERY == 0)
                fprintf(stderr, "alox: %s: %s has made %u proxies for references it sent: its "
                                "messages with new references are dead letters now\n",
                        transport.node, p->name, INBOUND_MAX_PEER_PROXIES);
            message_free(&m->base);
            return false;
        }
        memcpy(args + r.offset, &pointer, sizeof pointer);
    }
    atomic_fetch_add_explicit(&record->remaining, 1, memory_order_relaxed);
    if (ALOX_UNLIKELY(trace_enabled()))
        m->trace = item->trace;
    transport_delivered(target, mailbox_push(&target->box, &m->base.node));
    credit_delivered(p, target); /* an overloaded target: hold this peer */
    return true;
}

/* A gap: items were lost on the way (a dropped connection loses what
 * was in flight). Ask for them again, once per gap and resend interval;
 * the sender keeps every item until we have processed it. */
static void ask_resend(peer *p, uint64_t first) {
    int64_t now = transport_now_ms();
    if (p->nacked_seq == p->expected_seq && now - p->nacked_ms < TRANSPORT_RESEND_MS)
        return;
    fprintf(stderr, "alox: %s: items %llu.. from %s are missing (got %llu..): asking for them again\n",
            transport.node, (unsigned long long)p->expected_seq, p->name, (unsigned long long)first);
    p->nacked_seq = p->expected_seq;
    p->nacked_ms = now;
    session_send_control(p, WIRE_NACK);
}

static bool send_item(peer *p, frame_record *record, const wire_item *item) {
    grace_enter();
    bool delivered = deliver_item(p, record, item);
    grace_exit();
    return delivered;
}

/* The root of an item (causal.h): the one it names, if this node knows it
 * (itself or a node of the trust file), else its sender's: a peer's word
 * about a node we do not know makes no key of its own (keys per peer stay
 * as few as the nodes we know). */
static uint16_t item_root(peer *p, const wire_item *item, uint16_t previous) {
    if (!(item->flags & WIRE_ITEM_ROOT) || item->root == p->node_id)
        return p->node_id;
    if (item->root == previous || item->root == transport.node_id || session_by_node(item->root))
        return item->root;
    return p->node_id;
}

/* A record for the items of one root that follow (causal.h). One extra
 * count while we deliver, so workers cannot finish it before all of its
 * items are in. */
static frame_record *open_record(peer *p, uint16_t root) {
    frame_record *record = calloc(1, sizeof *record);
    if (!record)
        alox_fatal("out of memory receiving a batch");
    atomic_init(&record->remaining, 1);
    record->from = p;
    record->session_gen = p->session_gen;
    record->key = causal_frame_begin(p, root); /* counted until the record reaches zero */
    return record;
}

static void close_record(peer *p, frame_record *record) {
    causal_frame_close(p, record->key, record->last_seq);
    if (p->records_last)
        p->records_last->next = record;
    else
        p->records_first = record;
    p->records_last = record;
    frame_record_processed(record); /* drop our extra count */
}

void inbound_batch(peer *p, const wire_frame *f) {
    uint64_t first = f->u.batch.first_seq;
    uint64_t last = first + f->u.batch.item_count - 1;
    if (first > p->expected_seq) {
        ask_resend(p, first);
        return; /* the items before it come first */
    }
    if (f->u.batch.item_count == 0 || last < p->expected_seq)
        return; /* a resend of what we have: each item runs once */
    frame_record *record = NULL;
    uint16_t root = 0;
    const uint8_t *cursor = f->u.batch.items;
    uint32_t index = 0;
    wire_item item;
    while (wire_next_item(f, &cursor, &index, &item)) {
        if (item.seq < p->expected_seq)
            continue; /* a resend overlapping what we have */
        uint16_t item_of = item_root(p, &item, root);
        if (!record || item_of != root) { /* a run of another root: a record of its own */
            if (record)
                close_record(p, record);
            root = item_of;
            record = open_record(p, root);
        }
        record->last_seq = item.seq;
        if (item.caused_by)
            session_on_proof(p, item.caused_by); /* before the item runs, or at once: it is ours */
        if (item.op == WIRE_OP_SPAWN)
            spawn_item(p, &item);
        else if (send_item(p, record, &item))
            peer_stats_message_in(&p->stats);
    }
    p->expected_seq = last + 1;
    p->received_seq = last;
    close_record(p, record);
}
