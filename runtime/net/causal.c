/* causal.c - termination across nodes; see causal.h. */
#include "causal.h"

#include <stdatomic.h>
#include <stdbool.h>

#include "core/worker.h"

/* Remote-caused work on this node (causal.h). Raised from 0 only by the
 * mailman (a frame's record); a worker raises it only while it runs caused
 * work, whose own record is counted, so it never passes through 0 there. */
static _Atomic int64_t live;

/* The item this node is engaged by, and its peer (NULL: not engaged). */
static const peer *parent;
static uint64_t parent_seq;

void causal_frame_begin(peer *p, uint64_t last_seq) {
    if (!parent) {
        parent = p;
        parent_seq = last_seq;
    }
    /* Relaxed: only the mailman reads the count to decide, in its own
     * program order after this. */
    atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
}

void causal_frame_end(void) {
    /* Release: pairs with causal_turn's acquire. Every caused send of the
     * frame's work has raised the count before this (same thread, same
     * atomic), so a 0 read there means those are done too. */
    atomic_fetch_sub_explicit(&live, 1, memory_order_release);
}

void causal_tag_send(remote_message *m) {
    worker *w = worker_self;
    if (!w || !w->cause)
        return; /* main, a plain thread, a local message: the node's own work */
    m->base.tagged |= MESSAGE_CAUSED_TAG;
    /* Relaxed: the running message's record is counted until after this
     * send (causal_frame_end comes later on this thread), so the count is
     * above 0 and the mailman cannot see the parent done in between. */
    atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
}

void causal_untag(remote_message *m) {
    if (m->base.tagged & MESSAGE_CAUSED_TAG)
        /* Release, as causal_frame_end; on the mailman itself, too. */
        atomic_fetch_sub_explicit(&live, 1, memory_order_release);
}

void causal_turn(void) {
    /* Acquire: pairs with the releases above. */
    if (parent && atomic_load_explicit(&live, memory_order_acquire) == 0)
        parent = NULL; /* its peer's next header names no withheld item */
}

/* The withheld field reaches back at most UINT32_MAX - 1 items. */
static uint64_t withheld_reach(void) { return parent_seq + UINT32_MAX - 1; }

uint64_t causal_processed_for(const peer *p) {
    if (parent == p && p->processed_seq > withheld_reach())
        return withheld_reach(); /* 4 billion items past one parent: hold the rest */
    return p->processed_seq;
}

uint64_t causal_withheld_for(const peer *p) {
    /* Only once "processed" covers it: a header names only an item it
     * acknowledges, so an older header never unnames a newer parent. */
    return parent == p && parent_seq <= p->processed_seq ? parent_seq : 0;
}

void causal_ending(void) { parent = NULL; }

void causal_session_lost(const peer *p) {
    if (parent == p)
        parent = NULL;
}
