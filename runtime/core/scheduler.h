/*
 * scheduler.h - one scheduler per process: its workers, the injection
 * queue, parking and waking, quiescence and exit.
 *
 * Parking protocol (no lost wake-up): a worker about to sleep first counts
 * itself in `idle` (under `lock`), then looks at every queue once more. A
 * thread that adds work first publishes it, then reads `idle` and
 * `spinning`; both sides put a seq_cst fence between their write and their
 * read, so at least one of them sees the other: either the sleeper finds
 * the work or the adder wakes someone. A worker is woken only when no
 * other is already spinning (looking for work), so a burst of sends wakes
 * one worker at a time, and a lone chain of sends wakes none.
 *
 * The watcher: a worker that parks while another is busy sleeps at most
 * a watch period if no other does (scheduler_park), so a run-next slot
 * behind a long batch is looked at (runnext.h); others sleep until woken.
 *
 * Quiescence: when the last worker parks, nothing is queued anywhere and
 * no hold is outstanding, no message is queued or running: alox_run
 * returns. The decision is taken under `lock`, where every change of
 * `idle` happens, so it cannot overlap a worker leaving the idle state.
 *
 * Thread-safety: scheduler_* may be called from any thread.
 */
#ifndef ALOX_SCHEDULER_H
#define ALOX_SCHEDULER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "injectq.h"
#include "worker.h"

#define SCHEDULER_MAX_THREADS 1024 /* ALOX_THREADS above this is refused */

/* The watcher (runnext.h): while any other worker is busy, one parked
 * worker sleeps at most a watch period (ns), then looks at the run-next
 * slots. The period starts at RUNNEXT_WATCH_MIN_NS and doubles after each
 * look that took nothing, up to RUNNEXT_WATCH_MAX_NS; a run-next steal
 * sets it back. A receiver behind a computing sender waits one or two
 * periods (the first look starts the grace clock). 1 ms at first: a fresh
 * computation is found fast; 8 ms at most: a long ping-pong, where the
 * watcher never finds anything, costs ~125 short wake-ups a second on an
 * otherwise idle core (1 ms fixed: ~500 measured, +12% task-clock on
 * pingpong), and a receiver behind a sender that starts computing then
 * still runs within ~16 ms. */
#define RUNNEXT_WATCH_MIN_NS 1000000u
#define RUNNEXT_WATCH_MAX_NS 8000000u

typedef struct scheduler {
    uint32_t threads;     /* workers per alox_run, set by alox_init */
    worker *workers;      /* `threads` of them while running */
    injectq inject;
    pthread_mutex_t lock; /* parking, waking, stopping */
    pthread_cond_t done;  /* alox_run waits here */
    worker **idle_stack;  /* parked workers, under lock */
    uint32_t idle_top;
    worker *watcher;      /* the parked worker with a timeout, or NULL (under lock) */
    bool watch_wanted;    /* owners are asked to wake a watcher (under lock, runnext.h) */
    uint64_t watch_ns;    /* the watch period (under lock) */
    _Atomic bool runnext_stolen; /* a thief took a slot since the watcher last slept (relaxed: a hint) */
    bool stealable;       /* run-next slots may be stolen (runnext.h); set before the workers start */
    _Atomic uint32_t idle;     /* == idle_top, readable without the lock */
    _Atomic uint32_t spinning; /* workers looking for work */
    _Atomic int holds;         /* alox_hold minus alox_release */
    _Atomic bool stopping;     /* workers must return */
    uint64_t linger_ns;        /* ALOX_LINGER_US; set before the workers start (idle.c) */
    bool running;              /* inside alox_run (under lock) */
    bool until_exit;           /* quiescence does not end a run (under lock) */
    bool exit_requested;       /* alox_exit called (under lock) */
    int exit_code;
} scheduler;

extern scheduler the_scheduler;

/* Configured worker count, from alox_init (default: the CPUs we may use). */
void scheduler_set_threads(uint32_t threads);

/* Makes a runnable actor known to the workers from a thread that is not a
 * worker: through the injection queue. */
void scheduler_inject(struct actor *a);

/* Makes a runnable actor known to the workers, from any thread. */
static inline void scheduler_schedule(struct actor *a) {
    worker *w = worker_self;
    if (w)
        worker_schedule(w, a);
    else
        scheduler_inject(a);
}

/* Work was added to a queue: wake a worker if some sleep and none spins. */
void scheduler_wake_if_needed(void);

/* Is a run going on with every worker parked? (under the lock: a guest,
 * guest.h, asks before it runs actors itself) */
bool scheduler_all_parked(void);

/* The same without the lock, a hint for a caller that asks again with
 * scheduler_all_parked before relying on it. */
static inline bool scheduler_all_parked_hint(void) {
    /* Relaxed: a hint; `threads` is set before any run and not during one. */
    return atomic_load_explicit(&the_scheduler.idle, memory_order_relaxed) == the_scheduler.threads;
}

/* A worker took another's run-next actor: the watch period starts short
 * again (a hint, no lock). */
static inline void scheduler_runnext_stolen(void) {
    atomic_store_explicit(&the_scheduler.runnext_stolen, true, memory_order_relaxed);
}

/* A worker that found nothing sleeps. Returns false when it must exit. */
bool scheduler_park(worker *w);

/* Remote messages in flight count like holds: a client's alox_run waits
 * until the peers have processed what it sent them. */
void scheduler_hold_remote(int count);
void scheduler_release_remote(int count);

/* Runs the workers until quiescence or alox_exit (alox_run, once
 * alox_init has run): returns the exit code. */
int scheduler_run(void);

/* While on, a run ends only at alox_exit, never at quiescence: for a node
 * that serves others (remote_hooks.h). */
void scheduler_run_until_exit(bool on);

/* Are the workers running, and not stopping? (a snapshot, under the lock) */
bool scheduler_workers_running(void);

/* Is any actor waiting in a run queue? (a snapshot) */
bool scheduler_work_visible(void);

static inline bool scheduler_stopping(void) {
    /* Relaxed: checked between messages; the lock orders the rest. */
    return atomic_load_explicit(&the_scheduler.stopping, memory_order_relaxed);
}

#endif
