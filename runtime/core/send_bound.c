/* send_bound.c - a behaviour's sends bounded while it runs; see send_bound.h. */
#include "send_bound.h"

#include <time.h>

#include "actor.h"
#include "helping.h"
#include "io.h"
#include "overload.h"
#include "scheduler.h"
#include "worker.h"

/* A worker waits at most this long (ms) in one send. Long enough to
 * cover a preempted receiver (its thread was seen off the CPU for 16-28
 * ms on a loaded machine), short enough that a wait the wait-for graph
 * does not see (a receiver queued behind another worker's long behaviour)
 * costs little: the wait is a bound, not a lock. */
#define WAIT_MAX_MS 50

/* A worker waits once it has sent limit / UNCONFIRMED_DIVISOR messages to
 * a target whose cursor has not moved since: the target may have measured
 * itself just below the limit, so the backlog stays under 1.5 limits. */
#define UNCONFIRMED_DIVISOR 2u

/* A waiting worker with nothing of its own to run looks again this often (us). */
#define POLL_US 20

/* Relaxed loads of the target's flags and head: hints; a stale one costs
 * one more look (every change of the flags is made under overload.c's
 * lock, and nothing here acts on them but to wait or not). */
static uint32_t flags_of(actor *a) { return atomic_load_explicit(&a->flags, memory_order_relaxed); }

/* Heavy: until it is not. Else until its cursor moves, unless it moved
 * because this worker ran it and it is still far behind: it is back in
 * this worker's run-next slot (worker.c, pressing), so it runs on here
 * until it is not (else each help took a few batches, fewer than the
 * sends to the next one: counting's counter climbed to the limit). */
static bool waited_enough(worker *w, actor *to, const void *tail, bool heavy) {
    if (scheduler_stopping())
        return true;
    if (atomic_load_explicit(&to->box.head, memory_order_relaxed) & MAILBOX_IDLE_MARK)
        return true; /* it took everything */
    if (heavy)
        return !(flags_of(to) & ACTOR_HEAVY);
    return (mailbox_tail_seen(&to->box) != tail && runnext_peek(&w->runnext) != to) ||
           (flags_of(to) & ACTOR_HEAVY);
}

/* Waits (helping) until waited_enough; true if the time bound ended it.
 * `others`: may run what else it holds (a long behaviour's wait; see
 * send_bound_sample for why not otherwise). */
static bool wait_in_send(worker *w, actor *self, actor *to, const void *tail, bool heavy,
                         bool others) {
    worker_end_batch(w); /* receivers run after this behaviour, whatever happens here */
    if (!overload_wait_begin(w, self, to))
        return false; /* `to` waits for us: waiting would close a cycle */
    uint64_t until = io_now_ns() + WAIT_MAX_MS * 1000000ull;
    bool timed_out = false;
    while (!waited_enough(w, to, tail, heavy)) {
        if (io_now_ns() > until) {
            timed_out = true;
            break;
        }
        if (helping_run_target(w, to) || (others && helping_run_own(w, to)))
            continue;
        if (the_scheduler.threads < 2)
            break; /* nothing runnable here, and nobody else to run `to` */
        struct timespec pause = {0, POLL_US * 1000L};
        nanosleep(&pause, NULL);
    }
    overload_wait_end(w);
    return timed_out;
}

/* Both rounds: `long_run`, the running behaviour made them all. */
static void bound(worker *w, actor *to, bool long_run) {
    uint32_t lim = overload_limit();
    actor *self = atomic_load_explicit(&w->current, memory_order_relaxed); /* its owner reads it: relaxed */
    /* Not outside a behaviour, not to itself, not from an exempt thread
     * or a helped batch, not from a pressured actor (it must drain,
     * overload.h; waiting there was tried for the relay: its sink stayed
     * at 12.2K, but fan-in senders flagged for their place in a queue then
     * waited in their sends: 86K, and the file took 125 s). */
    if (lim == 0 || !self || self == to || overload_thread_exempt() || helping_now() ||
        (flags_of(self) & ACTOR_PRESSURE))
        return;
    const void *tail = mailbox_tail_seen(&to->box);
    bool heavy = (flags_of(to) & ACTOR_HEAVY) != 0;
    if (to != w->watch || tail != w->watch_tail) {
        w->watch = to;
        w->watch_tail = tail;
        w->unconfirmed = 0;
    } else {
        w->unconfirmed += SENDS_BEFORE_HANDOFF;
    }
    if (w->bound_skip > 0) { /* a wait on it ran out lately */
        w->bound_skip = w->bound_skip > SENDS_BEFORE_HANDOFF ? w->bound_skip - SENDS_BEFORE_HANDOFF : 0;
        return;
    }
    if (!heavy && w->unconfirmed < lim / UNCONFIRMED_DIVISOR)
        return;
    w->unconfirmed = 0;
    if (wait_in_send(w, self, to, tail, heavy, long_run))
        w->bound_skip = lim / UNCONFIRMED_DIVISOR;
}

void send_bound_round(worker *w, actor *to) { bound(w, to, true); }

void send_bound_sample(worker *w, actor *to) {
    /* The common cases first, cheaply: a new target, one that moved, or
     * one that runs next here anyway. That last one also keeps ping-pong
     * out: its pool hands the same node back at every round trip, so its
     * cursor seems not to move (callgrind: 0.4 % more instructions). */
    const void *tail = mailbox_tail_seen(&to->box);
    /* A flagged target: its senders are muted after their behaviour
     * (overload.h), which is the bound for a behaviour of a few sends;
     * waiting too made the relay's sink worse (8K-279K against main's
     * 4K-154K, 8 runs each). */
    if (runnext_peek(&w->runnext) == to || (flags_of(to) & ACTOR_PRESSURE) ||
        to != w->watch || tail != w->watch_tail) {
        w->watch = to;
        w->watch_tail = tail;
        w->unconfirmed = 0;
        return;
    }
    bound(w, to, false);
}
