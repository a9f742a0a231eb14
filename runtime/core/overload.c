/* overload.c - backpressure: muting senders of overloaded actors; see overload.h. */
#include "overload.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "actor.h"
#include "io.h"
#include "scheduler.h"
#include "support/platform.h"
#include "worker.h"

/* Backlog, in messages, at which a receiver counts as overloaded
 * (ALOX_MAILBOX_LIMIT overrides it). 16384 small messages are about
 * 512 KiB: a flood stays far below the memory it used to take (30-40
 * million queued, 1 GB), while bursts of a few batches (BATCH_MESSAGES is
 * 100) never pause anyone. */
#define OVERLOAD_DEFAULT_LIMIT 16384u

/* Muted senders resume when the backlog is below limit / RESUME_DIVISOR:
 * the receiver still has that much work while they are woken and refill
 * its mailbox, so it does not sit idle between rounds (hysteresis). Its
 * flag stays until it drains (overload.h, "The low mark"). */
#define RESUME_DIVISOR 4u

/* A plain thread waiting for a receiver re-checks that alox_run still
 * runs this often (ms): when the run ends, its wait ends too. */
#define PLAIN_WAIT_RECHECK_MS 10

/* A plain thread that has sent `limit` messages to a receiver that has
 * not been idle since, and is not flagged (it has not run a batch yet: a
 * parked worker can take milliseconds to wake on a loaded machine, time
 * for millions of sends), polls this often (us) until the receiver is
 * idle or flagged. */
#define PLAIN_POLL_US 20

/* A worker whose sends to one target have gone unconfirmed for `limit`
 * messages waits at most this long (ms) for the target's consumer to move
 * (overload_send_round). Long enough to cover a preempted receiver (its
 * thread was seen off the CPU for 16-28 ms on a loaded machine), short
 * enough that two workers waiting on each other's actors (each inside a
 * behaviour, so neither moves) lose little: the wait is a bound, not a
 * lock, so nothing can deadlock on it. */
#define WORKER_WAIT_MAX_MS 50

/* A worker waits once it has sent limit / UNCONFIRMED_DIVISOR messages to
 * a target whose cursor has not moved since (overload_send_round). */
#define UNCONFIRMED_DIVISOR 2u

typedef struct overload {
    mailbox_node *scout;  /* consumer only: a node `ahead` places past the cursor, or NULL */
    uint32_t ahead;       /* consumer only */
    bool measured;        /* consumer only: flagged by its own measure, not only for its queue */
    struct actor *muted;  /* under `lock`: actors muted on this one, linked by next_runnable */
    struct actor *muted_on; /* under `lock`: while this actor is muted, on whom */
} overload;

/* Guards every ACTOR_OVERLOADED / ACTOR_MUTED change, every mute list and
 * muted_on. Taken only on transitions (a receiver crossing its limit, a
 * sender muted or released), never on an ordinary send. Lock order: this,
 * then the scheduler's lock (scheduler_workers_running). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t caught_up = PTHREAD_COND_INITIALIZER; /* plain threads wait here */
static uint32_t plain_waiting;                               /* under lock */
/* Relaxed: a setting read at the end of batches; no data depends on it. */
static _Atomic uint32_t limit = OVERLOAD_DEFAULT_LIMIT;
static ALOX_TLS bool exempt;
/* A plain thread's sends to its latest target since that target was seen
 * idle (the push that scheduled it) or caught up. */
static ALOX_TLS actor *plain_target;
static ALOX_TLS uint32_t plain_unconfirmed;

uint32_t overload_limit(void) { return atomic_load_explicit(&limit, memory_order_relaxed); }

void overload_set_limit(uint32_t messages) {
    atomic_store_explicit(&limit, messages, memory_order_relaxed);
}

void overload_exempt_this_thread(void) { exempt = true; }

/* Relaxed loads of the flags: every change of the two pressure bits is
 * made under `lock`, and whoever acts on them reads them again under it. */
static uint32_t flags_of(actor *a) { return atomic_load_explicit(&a->flags, memory_order_relaxed); }

static void set_flag_locked(actor *a, uint32_t flag) {
    atomic_fetch_or_explicit(&a->flags, flag, memory_order_relaxed);
}

static void clear_flag_locked(actor *a, uint32_t flag) {
    atomic_fetch_and_explicit(&a->flags, ~flag, memory_order_relaxed);
}

static void wait_plain(actor *to) {
    pthread_mutex_lock(&lock);
    while ((flags_of(to) & ACTOR_PRESSURE) && scheduler_workers_running()) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += PLAIN_WAIT_RECHECK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        plain_waiting++;
        pthread_cond_timedwait(&caught_up, &lock, &until);
        plain_waiting--;
    }
    pthread_mutex_unlock(&lock);
}

/* The receiver has not run since this thread sent it `limit` messages:
 * wait until it is idle (all taken) or flagged (then as wait_plain). */
static void wait_unconfirmed(actor *to) {
    while (!(flags_of(to) & ACTOR_PRESSURE) && scheduler_workers_running()) {
        /* Relaxed: a hint; a stale read costs one more poll. */
        if (atomic_load_explicit(&to->box.head, memory_order_relaxed) & MAILBOX_IDLE_MARK)
            return;
        struct timespec pause = {0, PLAIN_POLL_US * 1000L};
        nanosleep(&pause, NULL);
    }
    wait_plain(to);
}

void overload_plain_sent(actor *to, bool scheduled) {
    uint32_t lim = overload_limit();
    if (exempt || lim == 0)
        return;
    if (to != plain_target || scheduled) {
        plain_target = to;
        plain_unconfirmed = 0;
    }
    if (flags_of(to) & ACTOR_PRESSURE) {
        wait_plain(to);
        plain_unconfirmed = 0;
    } else if (++plain_unconfirmed >= lim) {
        wait_unconfirmed(to);
        plain_unconfirmed = 0;
    }
}

/* The worker waits for `to`'s consumer to leave `tail` (see overload.h). */
static void wait_for_progress(worker *w, actor *to, const void *tail) {
    worker_end_batch(w);
    if (runnext_peek(&w->runnext) == to) /* ours to run: end the batch, do not wait for it */
        return;
    /* What this worker holds may be what the receiver waits behind:
     * make it stealable and let a parked worker come for it. */
    worker_release_runnext(w);
    scheduler_wake_if_needed();
    uint64_t until = io_now_ns() + WORKER_WAIT_MAX_MS * 1000000ull;
    while (mailbox_tail_seen(&to->box) == tail && !(flags_of(to) & ACTOR_PRESSURE) &&
           !scheduler_stopping()) {
        /* Relaxed: a hint; a stale read costs one more poll. */
        if (atomic_load_explicit(&to->box.head, memory_order_relaxed) & MAILBOX_IDLE_MARK)
            return;
        if (io_now_ns() > until)
            return;
        struct timespec pause = {0, PLAIN_POLL_US * 1000L};
        nanosleep(&pause, NULL);
    }
}

void overload_send_round(worker *w, actor *to) {
    uint32_t lim = overload_limit();
    actor *self = atomic_load_explicit(&w->current, memory_order_relaxed); /* its owner reads it: relaxed */
    /* Not outside a behaviour, not to itself, not from an overloaded
     * actor (it must drain), not with one worker (the receiver runs on
     * this one: SEND_ROUNDS_PER_BATCH lets it in). */
    if (exempt || lim == 0 || !self || self == to || the_scheduler.threads < 2 ||
        (flags_of(self) & ACTOR_PRESSURE))
        return;
    const void *tail = mailbox_tail_seen(&to->box);
    if (to != w->watch || tail != w->watch_tail) {
        w->watch = to;
        w->watch_tail = tail;
        w->unconfirmed = 0;
        return;
    }
    /* Half the limit: the receiver may have moved (and measured) just
     * below the limit, so the backlog stays under 1.5 limits. */
    w->unconfirmed += SENDS_BEFORE_HANDOFF;
    if (w->unconfirmed < lim / UNCONFIRMED_DIVISOR)
        return;
    w->unconfirmed = 0;
    wait_for_progress(w, to, tail);
}

/* May `a` (running, so not muted; called on its worker, which alone
 * touches its record) be muted on `to`? When `to` is overloaded or muted,
 * unless `a` measured itself over the limit: that one must drain, and it
 * may be the server its muted clients wait on (muted on one of them, it
 * would let that client, which cannot be muted on it, a cycle, send it
 * its whole backlog). An actor flagged only for its place in a queue
 * (overload_queued) is a sender as much as a receiver, and waits.
 * Relaxed read of the flags: a hint here, decided again under the lock. */
static bool may_mute(actor *a, actor *to) {
    return (flags_of(to) & ACTOR_PRESSURE) != 0 && !(a->overload && a->overload->measured);
}

void overload_sent_to(worker *w, actor *to) {
    if (exempt)
        return;
    if (w) { /* plain threads: overload_plain_sent */
        /* Inside a behaviour of another actor: note the target; the
         * worker decides after the behaviour (overload_mute). */
        actor *self = atomic_load_explicit(&w->current, memory_order_relaxed); /* its owner reads it: relaxed */
        if (self && self != to && may_mute(self, to)) {
            w->mute_on = to;
            worker_end_batch(w);
        }
    }
}

/* Under lock: releases everything muted on `a`, and what was muted on
 * those (their lists hang on them), into one list for the caller. */
static actor *release_locked(actor *a) {
    overload *r = a->overload;
    actor *first = r ? r->muted : NULL, *last = first;
    if (r)
        r->muted = NULL;
    while (last && last->next_runnable)
        last = last->next_runnable;
    for (actor *x = first; x; x = x->next_runnable) {
        overload *xr = x->overload;
        clear_flag_locked(x, ACTOR_MUTED);
        xr->muted_on = NULL;
        if (xr->muted) { /* x was muted, so its own senders waited on it */
            last->next_runnable = xr->muted;
            xr->muted = NULL;
            while (last->next_runnable)
                last = last->next_runnable;
        }
    }
    if (plain_waiting)
        pthread_cond_broadcast(&caught_up);
    return first;
}

/* Relaxed: set once before the workers start (thread creation orders it). */
static _Atomic(void (*)(void)) caught_up_hook;

void overload_set_caught_up_hook(void (*hook)(void)) {
    atomic_store_explicit(&caught_up_hook, hook, memory_order_relaxed);
}

static actor *catch_up(actor *a) {
    a->overload->measured = false;
    pthread_mutex_lock(&lock);
    clear_flag_locked(a, ACTOR_OVERLOADED);
    actor *released = release_locked(a);
    pthread_mutex_unlock(&lock);
    void (*hook)(void) = atomic_load_explicit(&caught_up_hook, memory_order_relaxed);
    if (hook)
        hook();
    return released;
}

/* Below the resume level: its senders run again, but it keeps its flag
 * until it drains (see overload.h, "The low mark"). At most once a batch. */
static actor *resume_senders(actor *a) {
    pthread_mutex_lock(&lock);
    actor *released = release_locked(a);
    pthread_mutex_unlock(&lock);
    return released;
}

static overload *record_of(actor *a) {
    if (!a->overload) {
        a->overload = calloc(1, sizeof(overload));
        if (!a->overload)
            alox_fatal("out of memory tracking the backlog of an actor of type %s", a->type->name);
    }
    return a->overload;
}

/* Moves the scout past this batch's pops, then on to at most `lim` nodes
 * ahead of the cursor: r->ahead is then the backlog, or `lim` if larger. */
static void scout(overload *r, mailbox_node *cursor, uint32_t handled, uint32_t lim) {
    if (r->scout == NULL || r->ahead <= handled) {
        r->scout = cursor;
        r->ahead = 0;
    } else {
        r->ahead -= handled;
    }
    mailbox_node *at = r->scout;
    uint32_t ahead = r->ahead;
    while (ahead < lim) {
        /* Acquire: pairs with the release store of `next` in mailbox_push. */
        mailbox_node *next = atomic_load_explicit(&at->next, memory_order_acquire);
        if (!next)
            break;
        at = next;
        ahead++;
    }
    r->scout = at;
    r->ahead = ahead;
}

/* Any backlog counts, even the one message an actor that loops by sending
 * to itself keeps waiting: a receiver with one message left after a full
 * batch, queued behind 10,000 senders, gets a million. r->ahead is the
 * consumer's, and the caller holds the actor (it runs nowhere). */
void overload_queued(actor *a, uint32_t growth) {
    overload *r = a->overload;
    uint32_t lim = overload_limit();
    if (lim == 0 || (uint64_t)r->ahead + growth < lim ||
        (flags_of(a) & ACTOR_PRESSURE))
        return;
    pthread_mutex_lock(&lock);
    set_flag_locked(a, ACTOR_OVERLOADED);
    pthread_mutex_unlock(&lock);
}

actor *overload_batch_end(actor *a, mailbox_node *cursor, uint32_t handled, bool drained,
                          bool *pressing) {
    uint32_t lim = overload_limit();
    *pressing = false;
    if (drained || lim == 0) {
        overload *r = a->overload;
        if (!r)
            return NULL;
        /* Not muted (it is running): only OVERLOADED can hold others. */
        actor *released = (flags_of(a) & ACTOR_OVERLOADED) ? catch_up(a) : NULL;
        if (drained) { /* nobody reads the record once the flag is clear */
            a->overload = NULL;
            free(r);
        }
        return released;
    }
    overload *r = record_of(a);
    scout(r, cursor, handled, lim);
    *pressing = r->ahead >= lim / RESUME_DIVISOR;
    bool overloaded = (flags_of(a) & ACTOR_OVERLOADED) != 0;
    if (r->ahead >= lim)
        r->measured = true;
    if (!overloaded && r->ahead >= lim) {
        pthread_mutex_lock(&lock);
        set_flag_locked(a, ACTOR_OVERLOADED);
        pthread_mutex_unlock(&lock);
    } else if (overloaded && r->ahead < lim / RESUME_DIVISOR &&
               mailbox_batch_empty(&a->box, r->scout)) {
        /* The scout reached the newest node, not a half-done push: the
         * backlog really is this small. */
        return resume_senders(a);
    }
    return NULL;
}

actor *overload_actor_stopped(actor *a) {
    overload *r = a->overload;
    if (!r)
        return NULL;
    /* Running, so not muted: only OVERLOADED can hold others. Clear it so
     * that nothing more waits on an actor that will never drain. */
    actor *released = catch_up(a);
    a->overload = NULL; /* nobody reads the record once the flag is clear */
    free(r);
    return released;
}

/* Under lock: would muting `a` on `target` close a cycle of waits? */
static bool waits_lead_to_locked(actor *target, actor *a) {
    for (actor *x = target; x; x = (flags_of(x) & ACTOR_MUTED) ? x->overload->muted_on : NULL)
        if (x == a)
            return true;
    return false;
}

bool overload_mute(actor *a, actor *target) {
    overload *r = record_of(a);
    bool muted = false;
    pthread_mutex_lock(&lock);
    if (may_mute(a, target) && !waits_lead_to_locked(target, a)) {
        overload *tr = target->overload; /* exists while either flag is set */
        r->muted_on = target;
        set_flag_locked(a, ACTOR_MUTED);
        a->next_runnable = tr->muted;
        tr->muted = a;
        muted = true;
    }
    pthread_mutex_unlock(&lock);
    return muted;
}

/* ---------------------------------------------------------------------
 * Gates (see overload.h).
 * ------------------------------------------------------------------- */
void overload_gate_close(actor *gate) {
    pthread_mutex_lock(&lock);
    record_of(gate); /* overload_mute reads it while the flag is set; never freed */
    set_flag_locked(gate, ACTOR_OVERLOADED);
    pthread_mutex_unlock(&lock);
}

actor *overload_gate_open(actor *gate) {
    actor *released = NULL;
    pthread_mutex_lock(&lock);
    if (flags_of(gate) & ACTOR_OVERLOADED) {
        clear_flag_locked(gate, ACTOR_OVERLOADED);
        released = release_locked(gate);
    }
    pthread_mutex_unlock(&lock);
    return released;
}

bool overload_gate_closed(const actor *gate) {
    /* Relaxed: a hint; the decisions are made again under the lock. */
    return (atomic_load_explicit(&gate->flags, memory_order_relaxed) & ACTOR_OVERLOADED) != 0;
}

void overload_gate_sent(actor *gate) {
    if (exempt || !overload_gate_closed(gate))
        return;
    worker *w = worker_self;
    if (!w)
        wait_plain(gate);
    else if (!w->mute_on) /* the first pressured target of a behaviour is the one (mailman.c) */
        overload_sent_to(w, gate);
}
