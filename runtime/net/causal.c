/* causal.c - termination across nodes, per (sender, root); see causal.h. */
#include "causal.h"

#include <stdlib.h>

#include "core/worker.h"
#include "support/platform.h"
#include "transport_internal.h"

/* Keys of ended sessions whose work is still counted (mailman). */
static causal_root *detached;

static causal_root *new_key(peer *p, uint16_t root) {
    causal_root *k = calloc(1, sizeof *k);
    if (!k)
        alox_fatal("out of memory keeping the causes of a remote message");
    k->root = root;
    atomic_init(&k->live, 0);
    k->next = p->roots;
    p->roots = k;
    return k;
}

causal_root *causal_frame_begin(peer *p, uint16_t root) {
    if (root == transport.node_id)
        return NULL; /* our own computation: alox_run here answers for it */
    causal_root *k = p->roots;
    while (k && k->root != root)
        k = k->next;
    if (!k)
        k = new_key(p, root);
    /* Relaxed: only the mailman reads the count to decide, in its own
     * program order after this. A worker raises it only while it runs
     * work of a record counted here, so it never rises from 0 elsewhere. */
    atomic_fetch_add_explicit(&k->live, 1, memory_order_relaxed);
    return k;
}

void causal_frame_close(peer *p, causal_root *key, uint64_t last_seq) {
    if (!key || key->parent_seq)
        return; /* not tracked, or engaged already: its parent answers for this */
    if (p->engaged >= WIRE_MAX_WITHHELD)
        return; /* more roots than a header can name: done when processed, as before issue 13 */
    key->parent_seq = last_seq;
    p->engaged++;
}

void causal_frame_end(causal_root *key) {
    if (key)
        /* Release: pairs with causal_turn's acquire. Every caused send of
         * the record's work has raised the count before this (same atomic,
         * ordered by the record's acq_rel count), so a 0 read there means
         * those are done too. */
        atomic_fetch_sub_explicit(&key->live, 1, memory_order_release);
}

causal_root *causal_send_root(void) {
    worker *w = worker_self;
    if (!w || !w->cause)
        return NULL; /* main, a plain thread, a local message: this node's own work */
    return ((frame_record *)w->cause)->key;
}

void causal_tag_send(remote_message *m, causal_root *key) {
    if (!key)
        return;
    *message_slot(&m->base) = key;
    /* Relaxed: the running message's record is counted in key until after
     * this send (causal_frame_end comes later, after the record's acq_rel),
     * so the count is above 0 and the mailman cannot see it done between. */
    atomic_fetch_add_explicit(&key->live, 1, memory_order_relaxed);
}

static causal_root *key_of(const remote_message *m) {
    return m->base.tagged & MESSAGE_CAUSED_TAG ? *message_slot((message *)&m->base) : NULL;
}

uint16_t causal_root_of(const remote_message *m) {
    causal_root *k = key_of(m);
    return k ? k->root : 0;
}

void causal_free(remote_message *m) {
    causal_root *k = key_of(m);
    if (!k) {
        message_free(&m->base);
        return;
    }
    /* Release, as causal_frame_end; this runs on the mailman itself. */
    atomic_fetch_sub_explicit(&k->live, 1, memory_order_release);
    message_free_slotted(&m->base);
}

static void disengage(peer *p, causal_root *k) {
    if (!k->parent_seq)
        return;
    if (p && k->parent_seq <= p->told_processed)
        p->withheld_version++; /* it was named: the next header tells the change */
    k->parent_seq = 0;
    if (p)
        p->engaged--;
}

/* Acquire: pairs with the releases above. */
static bool idle(causal_root *k) {
    return atomic_load_explicit(&k->live, memory_order_acquire) == 0;
}

/* Disengages p's keys whose work is done, frees those with nothing counted. */
static void turn_peer(peer *p) {
    for (causal_root **at = &p->roots; *at;) {
        causal_root *k = *at;
        if (!idle(k)) {
            at = &k->next;
            continue;
        }
        disengage(p, k);
        *at = k->next;
        free(k);
    }
}

void causal_turn(void) {
    for (size_t i = 0; i < transport.peer_count; i++)
        turn_peer(&transport.peers[i]);
    for (causal_root **at = &detached; *at;) {
        causal_root *k = *at;
        if (idle(k)) {
            *at = k->next;
            free(k);
        } else {
            at = &k->next;
        }
    }
}

/* The withheld field reaches back at most UINT32_MAX - 1 items. */
static uint64_t reach(uint64_t parent_seq) { return parent_seq + UINT32_MAX - 1; }

uint64_t causal_processed_for(const peer *p) {
    uint64_t processed = p->processed_seq;
    if (!p->engaged)
        return processed;
    for (const causal_root *k = p->roots; k; k = k->next)
        if (k->parent_seq && processed > reach(k->parent_seq))
            processed = reach(k->parent_seq); /* 4 billion items past a parent: hold the rest */
    return processed;
}

static int by_seq(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

uint32_t causal_withheld_for(const peer *p, uint64_t *out) {
    if (!p->engaged)
        return 0;
    /* Only what "processed" covers: a header names only items it
     * acknowledges, so an older header never unnames a newer parent. */
    uint64_t processed = causal_processed_for(p);
    uint32_t n = 0;
    for (const causal_root *k = p->roots; k && n < WIRE_MAX_WITHHELD; k = k->next)
        if (k->parent_seq && k->parent_seq <= processed)
            out[n++] = k->parent_seq;
    if (n > 1)
        qsort(out, n, sizeof *out, by_seq);
    return n;
}

bool causal_withheld_untold(const peer *p) {
    return p->withheld_version != p->told_withheld_version;
}

void causal_ending(void) {
    for (size_t i = 0; i < transport.peer_count; i++)
        for (causal_root *k = transport.peers[i].roots; k; k = k->next)
            disengage(&transport.peers[i], k);
}

void causal_session_lost(peer *p) {
    while (p->roots) {
        causal_root *k = p->roots;
        p->roots = k->next;
        disengage(p, k);
        k->detached = true;
        k->next = detached;
        detached = k;
    }
    p->engaged = 0;
    p->withheld_version = p->told_withheld_version = 0;
}
