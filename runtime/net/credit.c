/* credit.c - flow control between peers that loses nothing; see credit.h. */
#include "credit.h"

#include <stdlib.h>
#include <string.h>

#include "core/actor.h"
#include "core/overload.h"
#include "core/scheduler.h"
#include "proxy.h"
#include "support/grace.h"
#include "support/platform.h"

/* The gates' type: the overload code names it if it runs out of memory. */
static const alox_type_desc gate_type = {ALOX_ABI_VERSION, 0, "(peer send queue)", 0, 0, 1};

/* Peers we hold (mailman writes; the caught-up hook reads it, relaxed: a
 * hint, a missed wake-up costs one poll timeout, TRANSPORT_HEARTBEAT_MS / 2). */
static _Atomic uint32_t holding_peers;

/* Any worker, when an actor stops counting as overloaded: a hold may end. */
static void on_caught_up(void) {
    if (atomic_load_explicit(&holding_peers, memory_order_relaxed))
        transport_wake();
}

void credit_start(void) { overload_set_caught_up_hook(on_caught_up); }

void credit_init(peer *p) {
    p->gate = aligned_alloc(64, sizeof(actor));
    if (!p->gate)
        alox_fatal("out of memory starting a peer session");
    memset(p->gate, 0, sizeof(actor));
    p->gate->type = &gate_type;
    atomic_init(&p->pushed, 0);
    atomic_init(&p->settled, 0);
}

/* Signed: a sender's relaxed loads may see a settle before the pushes it
 * settles; a negative count is no reason to pause. */
static int64_t unsettled(peer *p) {
    /* Relaxed: counts; the gate's flag, changed under the overload lock,
     * is what orders a pause against its release. */
    uint64_t pushed = atomic_load_explicit(&p->pushed, memory_order_relaxed);
    return (int64_t)(pushed - atomic_load_explicit(&p->settled, memory_order_relaxed));
}

void credit_sent(peer *p) {
    /* Relaxed: see unsettled. */
    atomic_fetch_add_explicit(&p->pushed, 1, memory_order_relaxed);
    if (ALOX_UNLIKELY(unsettled(p) >= CREDIT_GATE_CLOSE) && !overload_gate_closed(p->gate) &&
        overload_limit() != 0) { /* ALOX_MAILBOX_LIMIT=0: backpressure off */
        overload_gate_close(p->gate);
        transport_wake(); /* the mailman opens it again if the count fell meanwhile */
    }
    if (ALOX_UNLIKELY(overload_gate_closed(p->gate)))
        overload_gate_sent(p->gate);
}

void credit_settle(peer *p, uint64_t messages) {
    /* Only the mailman writes it: a load and a store. Relaxed: unsettled. */
    uint64_t settled = atomic_load_explicit(&p->settled, memory_order_relaxed);
    atomic_store_explicit(&p->settled, settled + messages, memory_order_relaxed);
}

void credit_delivered(peer *p, const actor *target) {
    /* Relaxed: a hint; the hold is checked again each turn. */
    if (!(atomic_load_explicit(&target->flags, memory_order_relaxed) & ACTOR_OVERLOADED))
        return;
    p->blocker = target->id;
    if (!p->holding) {
        p->holding = true;
        atomic_fetch_add_explicit(&holding_peers, 1, memory_order_relaxed);
    }
}

static void end_hold(peer *p) {
    if (!p->holding)
        return;
    p->holding = false;
    p->blocker = 0;
    atomic_fetch_sub_explicit(&holding_peers, 1, memory_order_relaxed);
}

static bool still_overloaded(uint64_t id) {
    grace_enter(); /* the actor may stop and its memory go meanwhile */
    actor *a = proxy_find_export(id);
    bool overloaded = a && (atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_OVERLOADED);
    grace_exit();
    return overloaded;
}

static void open_gate(peer *p) {
    for (actor *a = overload_gate_open(p->gate), *next; a; a = next) {
        next = a->next_runnable; /* the injection queue relinks it */
        scheduler_inject(a);
    }
}

/* Are fewer than `items` of p's messages delivered here and not yet run
 * (with the local work they caused: peer.h, frame_record)? */
static bool unprocessed_below(const peer *p, uint32_t items) {
    uint64_t sum = 0;
    for (const frame_record *r = p->records_first; r && sum < items; r = r->next)
        /* Relaxed: a measure; workers count it down with acq_rel. */
        sum += atomic_load_explicit(&r->remaining, memory_order_relaxed);
    return sum < items;
}

void credit_turn(peer *p) {
    if (overload_gate_closed(p->gate) && unsettled(p) <= CREDIT_GATE_OPEN)
        open_gate(p);
    if (p->holding && (unprocessed_below(p, CREDIT_RESUME_ITEMS) || !still_overloaded(p->blocker)))
        end_hold(p);
}

uint32_t credit_frame_flags(const peer *p) { return p->holding ? WIRE_FLAG_HOLD : 0; }

bool credit_hold_untold(const peer *p) { return p->holding != p->told_holding; }

void credit_on_flags(peer *p, uint32_t flags) { p->peer_holds = (flags & WIRE_FLAG_HOLD) != 0; }

void credit_lost(peer *p) {
    p->peer_holds = false;
    p->told_holding = false;
    end_hold(p);
}
