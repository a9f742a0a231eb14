/*
 * reclaim.h - stopped actors give their memory back (docs/ARCHITECTURE.md,
 * "Actor memory").
 *
 * After the batch in which an actor called alox_stop, its worker retires
 * it: the mailbox is left busy (never marked idle again), so no send can
 * schedule it, and a send that reads the stopped flag is a dead letter at
 * once. A send that read the flag just before it was set may still push;
 * so the actor waits for a grace period (support/grace.h). After it, no
 * thread can be inside a send to it: the worker drains what was pushed
 * late (dead letters ALOX_DEAD_STOPPED, as before), calls actor_drained
 * (drained.h: monitors and other layers), and frees the actor's memory
 * (support/once_heap.h): its address is never reused and reads as zeros,
 * which a send recognises as a stopped actor.
 *
 * Each worker keeps its own lists (no lock): `pending` (retired, not yet
 * in a grace period) and `waiting` (a grace period started for them).
 * A worker that parks hands both to a shared orphan list, which a busy
 * worker adopts, or the thread that ran alox_run frees after the run.
 *
 * Thread-safety: reclaim_retire, reclaim_quiescent and reclaim_before_park
 * on a worker's own thread; reclaim_after_run on the thread of alox_run
 * once the workers are joined.
 */
#ifndef ALOX_RECLAIM_H
#define ALOX_RECLAIM_H

#include <stdint.h>

#include "actor.h"
#include "message.h"
#include "support/grace.h"
#include "support/platform.h"

struct actor;

/* Retired actors, in an array rather than linked through their headers:
 * freeing them then fetches many cold headers at once, not one by one. */
typedef struct actor_list {
    struct actor **items;
    uint32_t count, capacity;
} actor_list;

/* This worker's retired actors not yet in a grace period (reclaim.c);
 * here for the inline reclaim_retire. Owner only. */
extern ALOX_TLS actor_list reclaim_pending;

/* How many times this thread's `pending` was emptied (moved on to a grace
 * period or handed over). With pending's count it tells the counters
 * whether an actor stopped here since they last looked (counters.h
 * counters_publish: every stop is retired right after it is counted). */
extern ALOX_TLS uint32_t reclaim_pending_moves;

void reclaim_grow_pending(void);

/* The actor stopped and its stop batch is over (the worker that ran it).
 * The last popped message is the queue's stub: the embedded stub goes
 * back in its place while it is hot, as mailbox_mark_idle does, but
 * without the idle mark (no push may schedule the actor), and the message
 * is freed now. A push that raced in keeps it linked: it goes with the
 * drain. (Leaving it to the drain saves this compare-and-swap, but the
 * message then goes back cold, after the grace period: skynet's CPU time
 * rose from 0.25 to 0.31 s, its peak RSS 16 to 20 MB.) */
static inline void reclaim_retire(struct actor *a) {
    struct mailbox_node *retired;
    mailbox_close(&a->box, &retired);
    if (retired) /* inline: a call here cost ~8 instructions per stopped actor */
        message_free(message_of(retired));
    actor_list *l = &reclaim_pending;
    if (ALOX_UNLIKELY(l->count == l->capacity))
        reclaim_grow_pending();
    l->items[l->count++] = a;
}

/* A worker announces a quiescent point after every this many batches (a
 * power of two): not after each, which would cost ~15 instructions per
 * batch on the ping-pong path; a grace period only takes a little longer. */
#define RECLAIM_QUIESCENT_BATCHES 8u

/* A worker looks at its lists every this many quiescent points (one per
 * RECLAIM_QUIESCENT_BATCHES batches; a grace-period check scans one
 * record per thread: cheap, but not for every batch) ... */
#define RECLAIM_POLL_QUIESCENT 8u
/* ... and at every one once this many actors wait, so a storm of stops
 * (skynet: a million) does not pile up memory. */
#define RECLAIM_EAGER_PENDING 1024u

/* Quiescent points counted towards the next look (reclaim.c). Owner only. */
extern ALOX_TLS uint32_t reclaim_ticks;

/* Looks at the lists (reclaim_quiescent's slow path, reclaim.c). */
void reclaim_poll(void);

/* Every RECLAIM_QUIESCENT_BATCHES batches: a quiescent point, and now and
 * then a look at the lists. Inline: out of line its call, frame and test
 * cost ~30 instructions per call (fork-join: ~8 per actor). */
static inline void reclaim_quiescent(void) {
    grace_quiescent();
    if (ALOX_UNLIKELY(++reclaim_ticks % RECLAIM_POLL_QUIESCENT == 0 || reclaim_pending.count >= RECLAIM_EAGER_PENDING))
        reclaim_poll();
}

/* The worker is about to park or exit: frees what it can, hands the rest over. */
void reclaim_before_park(void);

/* The worker exits (after reclaim_before_park): its lists' storage goes
 * back (their contents were handed over), or it would leak with the thread. */
void reclaim_thread_exit(void);

/* The run is over: frees the orphans if no other thread is inside a send. */
void reclaim_after_run(void);

/* Actors freed so far (tests, `alox top`). */
uint64_t reclaim_freed(void);

#endif
