/* reclaim.c - retired actors, grace periods, freeing; see reclaim.h. */
#include "reclaim.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "actor.h"
#include "drained.h"
#include "mailman.h"
#include "message.h"
#include "remote_hooks.h"
#include "support/dead_letter.h"
#include "support/grace.h"
#include "support/once_heap.h"

/* A worker looks at its lists every this many batches (a grace-period
 * check scans one record per thread: cheap, but not per batch). */
#define POLL_BATCHES 64u
/* ... and after every batch while this many actors wait to be freed, so a
 * storm of stops (skynet: a million) does not pile up memory. */
#define EAGER_PENDING 1024u

static ALOX_TLS struct actor *pending; /* linked by next_runnable: retired actors are in no queue */
static ALOX_TLS uint32_t pending_count;
static ALOX_TLS struct actor *waiting;
static ALOX_TLS uint64_t waiting_target;
static ALOX_TLS uint32_t ticks;

static pthread_mutex_t orphan_lock = PTHREAD_MUTEX_INITIALIZER;
static struct actor *orphans; /* under orphan_lock */
/* Relaxed: a hint, read without the lock; the list itself is under it. */
static _Atomic uint32_t orphan_count;
static _Atomic uint64_t freed;

uint64_t reclaim_freed(void) { return atomic_load_explicit(&freed, memory_order_relaxed); }

void reclaim_retire(actor *a) {
    a->next_runnable = pending;
    pending = a;
    pending_count++;
}

/* Every message still in the mailbox arrived after the stop: dead letters
 * (runtime messages are dropped: see mailman_send_runtime). */
static void drain(actor *a) {
    mailbox_node *cursor = mailbox_batch_begin(&a->box), *retired, *node;
    while ((node = mailbox_batch_pop(&a->box, &cursor, &retired))) {
        if (retired)
            message_free(message_of(retired));
        message *m = message_of(node);
        const alox_behaviour_desc *b = message_behaviour(m);
        if (!behaviour_is_runtime(b))
            dead_letter_report(ALOX_DEAD_STOPPED, a->id, b, message_args(m));
        if (message_is_remote(m))
            core_remote_hooks.processed((remote_message *)m);
    }
    if (cursor != &a->box.stub)
        message_free(message_of(cursor));
}

static void free_list(actor *list) {
    once_heap_batch batch = {0, 0};
    uint64_t n = 0;
    while (list) {
        actor *a = list;
        list = a->next_runnable;
        drain(a);
        actor_drained(a);
        once_heap_free(a, actor_footprint(a->type), &batch);
        n++;
    }
    once_heap_flush(&batch);
    atomic_fetch_add_explicit(&freed, n, memory_order_relaxed);
}

static actor *append(actor *list, actor *more) {
    if (!list)
        return more;
    actor *last = list;
    while (last->next_runnable)
        last = last->next_runnable;
    last->next_runnable = more;
    return list;
}

static void adopt_orphans(void) {
    if (atomic_load_explicit(&orphan_count, memory_order_relaxed) == 0)
        return;
    pthread_mutex_lock(&orphan_lock);
    actor *taken = orphans;
    orphans = NULL;
    atomic_store_explicit(&orphan_count, 0, memory_order_relaxed);
    pthread_mutex_unlock(&orphan_lock);
    pending = append(taken, pending); /* theirs are older */
    pending_count += 1; /* at least one: enough to start a grace period */
}

static void poll_lists(void) {
    if (waiting && grace_done(waiting_target)) {
        free_list(waiting);
        waiting = NULL;
    }
    if (waiting)
        return;
    adopt_orphans();
    if (pending) {
        waiting = pending;
        pending = NULL;
        pending_count = 0;
        waiting_target = grace_start();
        grace_quiescent(); /* we are one of those who must pass */
    }
}

void reclaim_quiescent(void) {
    grace_quiescent();
    ticks++;
    if (ALOX_LIKELY(pending_count < EAGER_PENDING) && (ticks % POLL_BATCHES) != 0)
        return;
    if (pending || waiting || atomic_load_explicit(&orphan_count, memory_order_relaxed))
        poll_lists();
}

static void hand_over(actor *list) {
    if (!list)
        return;
    pthread_mutex_lock(&orphan_lock);
    orphans = append(list, orphans); /* walks ours, not the whole orphan list */
    atomic_fetch_add_explicit(&orphan_count, 1, memory_order_relaxed);
    pthread_mutex_unlock(&orphan_lock);
}

void reclaim_before_park(void) {
    if (!pending && !waiting)
        return;
    grace_quiescent();
    poll_lists();
    if (waiting && grace_done(waiting_target)) { /* the others may have parked already */
        free_list(waiting);
        waiting = NULL;
        poll_lists();
    }
    hand_over(waiting);
    hand_over(pending);
    waiting = pending = NULL;
    pending_count = 0;
}

void reclaim_after_run(void) {
    if (atomic_load_explicit(&orphan_count, memory_order_relaxed) == 0)
        return;
    /* The workers are joined: only threads that send from outside (timers,
     * the mailman) can still be inside a send. */
    uint64_t target = grace_start();
    if (!grace_done(target))
        return; /* one is: the next run's workers will adopt them */
    pthread_mutex_lock(&orphan_lock);
    actor *taken = orphans;
    orphans = NULL;
    atomic_store_explicit(&orphan_count, 0, memory_order_relaxed);
    pthread_mutex_unlock(&orphan_lock);
    free_list(taken);
}
