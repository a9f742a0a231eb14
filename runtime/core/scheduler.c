/* scheduler.c - see scheduler.h for the parking protocol and quiescence. */
#include "scheduler.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actor.h"
#include "parking.h"
#include "alox.h"
#include "guest.h"
#include "reclaim.h"
#include "support/platform.h"

scheduler the_scheduler = {
    .inject = INJECTQ_INITIALIZER,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
};
#define S the_scheduler

/* Under S.lock, after every change of idle_top, watcher or stopping: is a
 * worker asleep with no timeout while none watches? Then every slot's
 * owner is asked to wake one at its next use of the slot
 * (RUNNEXT_CALL_WATCHER, a hint). A worker woken by wake_one sees the
 * request after its wake (release there, acquire in parking_wait); the
 * only other way it appears is a watcher leaving its sleep, which the
 * owners see within a cache miss. */
static void update_watch_locked(void) {
    bool wanted = S.stealable && S.idle_top > 0 && S.watcher == NULL && !atomic_load(&S.stopping);
    if (wanted == S.watch_wanted || !S.workers)
        return;
    S.watch_wanted = wanted;
    for (uint32_t i = 0; i < S.threads; i++)
        runnext_ask_watcher(&S.workers[i].runnext, wanted);
}

void scheduler_set_threads(uint32_t threads) { S.threads = threads; }

static uint32_t default_threads(void);

int alox_threads(void) {
    if (S.threads == 0)
        S.threads = default_threads();
    return (int)S.threads;
}

int alox_set_threads(int threads) {
    if (threads < 1 || threads > SCHEDULER_MAX_THREADS)
        return -1;
    pthread_mutex_lock(&S.lock);
    bool running = S.running;
    if (!running)
        S.threads = (uint32_t)threads;
    pthread_mutex_unlock(&S.lock);
    return running ? -1 : 0;
}

static uint32_t default_threads(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (uint32_t)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint32_t)n : 1;
}

bool scheduler_work_visible(void) {
    if (injectq_size(&S.inject) > 0)
        return true;
    for (uint32_t i = 0; i < S.threads && S.workers; i++)
        if (runqueue_size(&S.workers[i].queue) > 0)
            return true;
    return false;
}

bool scheduler_workers_running(void) {
    pthread_mutex_lock(&S.lock);
    bool running = S.running && !atomic_load(&S.stopping);
    pthread_mutex_unlock(&S.lock);
    return running;
}

/* Under S.lock: make every worker and alox_run return. Once is enough:
 * every worker then sees `stopping` before it parks again. A second call
 * (a late release or alox_exit while alox_run joins the workers) must not
 * touch the workers, which are being destroyed. */
static void stop_locked(void) {
    if (atomic_load(&S.stopping))
        return;
    atomic_store(&S.stopping, true);
    update_watch_locked();
    /* After the store: parking_wake's release makes `stopping` visible to
     * a worker its wake returns to. A running worker's word is AWAKE: no
     * syscall, and it sees `stopping` at its next park (under the lock). */
    for (uint32_t i = 0; i < S.threads; i++)
        parking_wake(&S.workers[i].park);
    pthread_cond_signal(&S.done);
}

/* Under S.lock: is the run over? (see "Quiescence" in scheduler.h) */
static bool quiescent_locked(void) {
    return S.running && !atomic_load(&S.stopping) && atomic_load(&S.idle) == S.threads && atomic_load(&S.holds) == 0 &&
           !scheduler_work_visible();
}

static void wake_one(void) {
    pthread_mutex_lock(&S.lock);
    if (S.idle_top > 0 && atomic_load(&S.spinning) == 0 && !atomic_load(&S.stopping)) {
        worker *w = S.idle_stack[--S.idle_top];
        atomic_fetch_sub(&S.idle, 1);
        /* It starts out spinning, so further adders do not wake a second
         * worker before this one has looked. */
        w->spinning = true;
        atomic_fetch_add(&S.spinning, 1);
        update_watch_locked();
        /* Under the lock: the workers' memory is freed under it after
         * they are joined (join_workers), so w is alive here. The woken
         * worker does not take the lock again (scheduler_park). */
        parking_wake(&w->park);
    }
    pthread_mutex_unlock(&S.lock);
}

/* Not inlined (into scheduler_inject): GCC's -Wtsan then flags the
 * fence in the inlined copy, which -Werror makes an error under
 * ThreadSanitizer. A call more on a path that may wake a worker anyway. */
__attribute__((noinline)) void scheduler_wake_if_needed(void) {
    /* seq_cst fence: the Dekker half of the adder (see scheduler.h): our
     * queue write above must be visible before we read idle. */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&S.idle, memory_order_relaxed) > 0 &&
        atomic_load_explicit(&S.spinning, memory_order_relaxed) == 0)
        wake_one();
}

/* Under S.lock: the watcher's next sleep (RUNNEXT_WATCH_MIN_NS ..
 * RUNNEXT_WATCH_MAX_NS, scheduler.h). */
static uint64_t next_watch_period_locked(void) {
    if (atomic_exchange_explicit(&S.runnext_stolen, false, memory_order_relaxed) || S.watch_ns == 0)
        S.watch_ns = RUNNEXT_WATCH_MIN_NS;
    uint64_t period = S.watch_ns;
    if (S.watch_ns < RUNNEXT_WATCH_MAX_NS)
        S.watch_ns *= 2;
    return period;
}

void runnext_call_watcher(void) {
    /* Relaxed: a hint; wake_one decides under the lock. A spinning worker
     * parks as the watcher if it finds nothing. */
    if (atomic_load_explicit(&S.spinning, memory_order_relaxed) == 0)
        wake_one();
}

void scheduler_inject(actor *a) {
    if (ALOX_UNLIKELY(guest_collecting != NULL) && guest_collect(a))
        return; /* the I/O thread runs it itself: the workers sleep (guest.h) */
    injectq_push(&S.inject, a);
    scheduler_wake_if_needed();
}

static void remove_idle_locked(worker *w) {
    for (uint32_t i = 0; i < S.idle_top; i++) {
        if (S.idle_stack[i] == w) {
            S.idle_stack[i] = S.idle_stack[--S.idle_top];
            atomic_fetch_sub(&S.idle, 1);
            update_watch_locked();
            return;
        }
    }
}

bool scheduler_park(worker *w) {
    pthread_mutex_lock(&S.lock);
    if (atomic_load(&S.stopping)) {
        pthread_mutex_unlock(&S.lock);
        return false;
    }
    S.idle_stack[S.idle_top++] = w;
    atomic_fetch_add(&S.idle, 1);
    parking_prepare(&w->park); /* a waker finds w in idle_stack only after this (the lock) */
    if (w->spinning) {
        w->spinning = false;
        atomic_fetch_sub(&S.spinning, 1);
    }
    /* seq_cst fence: the Dekker half of the sleeper: idle is counted
     * before we look at the queues again. */
    atomic_thread_fence(memory_order_seq_cst);
    if (scheduler_work_visible()) {
        remove_idle_locked(w);
        pthread_mutex_unlock(&S.lock);
        return true;
    }
    if (quiescent_locked())
        stop_locked(); /* wakes w too: its parking_wait returns at once */
    /* Another worker is busy and nobody watches its run-next slot. */
    bool watch = S.stealable && S.watcher == NULL && atomic_load(&S.idle) < S.threads &&
                 !atomic_load(&S.stopping);
    uint64_t period = 0;
    if (watch) {
        S.watcher = w;
        period = next_watch_period_locked();
    } else if (atomic_load(&S.idle) == S.threads) {
        S.watch_ns = 0; /* all asleep: the next busy spell is watched closely again */
    }
    update_watch_locked();
    pthread_mutex_unlock(&S.lock);
    /* Outside the lock: a wake between the unlock and the wait is kept in
     * the word (parking.h). Only wake_one and stop_locked wake a worker,
     * both under the lock after taking it off idle_stack or setting
     * `stopping`; parking_wait's acquire makes that visible here. */
    if (!watch) {
        parking_wait(&w->park);
        return !atomic_load(&S.stopping);
    }
    bool woken = parking_wait_for(&w->park, period);
    pthread_mutex_lock(&S.lock);
    /* Timed out: off the idle stack, unless a wake came meanwhile (a
     * waker takes it off, under this lock, before it wakes). */
    if (!woken && parking_cancel(&w->park))
        remove_idle_locked(w);
    S.watcher = NULL;
    update_watch_locked();
    pthread_mutex_unlock(&S.lock);
    return !atomic_load(&S.stopping);
}

bool scheduler_all_parked(void) {
    pthread_mutex_lock(&S.lock);
    bool parked = S.running && !atomic_load(&S.stopping) && atomic_load(&S.idle) == S.threads;
    pthread_mutex_unlock(&S.lock);
    return parked;
}

/* The last hold is gone: the run may be over. */
static void check_quiescence(void) {
    pthread_mutex_lock(&S.lock);
    if (quiescent_locked())
        stop_locked();
    pthread_mutex_unlock(&S.lock);
}

void scheduler_hold_remote(int count) { atomic_fetch_add(&S.holds, count); }

void scheduler_release_remote(int count) {
    if (atomic_fetch_sub(&S.holds, count) == count)
        check_quiescence();
}

void alox_hold(void) { atomic_fetch_add(&S.holds, 1); }

void alox_release(void) {
    int before = atomic_fetch_sub(&S.holds, 1);
    if (before <= 0) {
        atomic_fetch_add(&S.holds, 1);
        fprintf(stderr, "alox: alox_release() without a matching alox_hold() ignored\n");
        return;
    }
    if (before == 1)
        check_quiescence();
}

void alox_exit(int code) {
    pthread_mutex_lock(&S.lock);
    if (!S.exit_requested) {
        S.exit_requested = true;
        S.exit_code = code;
    }
    if (S.running)
        stop_locked();
    pthread_mutex_unlock(&S.lock);
}

/* ALOX_LINGER_US: how long a worker that ran out of work spins before it
 * parks (idle.c, linger). 0 (the default): it parks at once. */
#define LINGER_MAX_US 10000 /* 10 ms: past this, a spinning worker is a busy loop */

static void start_workers(void) {
    S.linger_ns = alox_env_us_as_ns("ALOX_LINGER_US", LINGER_MAX_US); /* before the threads: they read it unlocked */
    uint32_t n = S.threads;
    S.stealable = n > 1 && runnext_steal_init(); /* before the threads, as linger_ns */
    S.watcher = NULL;
    S.watch_wanted = false;
    S.watch_ns = 0;
    S.workers = calloc(n, sizeof(worker));
    S.idle_stack = calloc(n, sizeof(worker *));
    if (!S.workers || !S.idle_stack)
        alox_fatal("out of memory starting %u workers", n);
    for (uint32_t i = 0; i < n; i++) {
        worker *w = &S.workers[i];
        worker_record_init(w, i, 0x9e3779b9u * (i + 1));
    }
    /* Workers never take SIGINT / SIGTERM: the node's stop (net/node.c)
     * or the program's own handler runs on a thread that can act on it at
     * once. Under ThreadSanitizer a signal is run only when its thread
     * next enters an intercepted call, and a parked worker waits in a raw
     * futex syscall: dist.signals' server took SIGTERM there and never
     * ended (1 of 5 TSan runs; a second SIGTERM to the main thread ended
     * it at once, one to the parked worker did not). */
    sigset_t stops, old;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stops, &old); /* inherited by the threads made below */
    for (uint32_t i = 0; i < n; i++) {
        int err = pthread_create(&S.workers[i].thread, NULL, worker_main, &S.workers[i]);
        if (err)
            alox_fatal("cannot start worker thread %u of %u: %s (lower ALOX_THREADS)", i + 1, n,
                       strerror(err));
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void join_workers(void) {
    for (uint32_t i = 0; i < S.threads; i++)
        pthread_join(S.workers[i].thread, NULL);
    /* Under the lock: quiescence checks read S.workers (scheduler_work_visible). */
    pthread_mutex_lock(&S.lock);
    free(S.workers);
    free(S.idle_stack);
    S.workers = NULL;
    S.idle_stack = NULL;
    pthread_mutex_unlock(&S.lock);
}

void scheduler_run_until_exit(bool on) {
    pthread_mutex_lock(&S.lock);
    S.until_exit = on;
    pthread_mutex_unlock(&S.lock);
}

int scheduler_run(void) {
    if (S.threads == 0)
        S.threads = default_threads();
    pthread_mutex_lock(&S.lock);
    if (S.running)
        alox_fatal("alox_run called while already running (call it from one thread, once at a time)");
    if (S.exit_requested) { /* alox_exit before alox_run: nothing to run */
        int code = S.exit_code;
        S.exit_requested = false;
        pthread_mutex_unlock(&S.lock);
        return code;
    }
    atomic_store(&S.stopping, false);
    atomic_store(&S.idle, 0);
    atomic_store(&S.spinning, 0);
    S.idle_top = 0;
    S.exit_code = 0;
    /* A node that serves others never runs out of work on its own: it
     * runs until alox_exit (or SIGINT / SIGTERM, see net/node.c). */
    bool serving = S.until_exit;
    if (serving)
        atomic_fetch_add(&S.holds, 1);
    start_workers();
    S.running = true;
    while (!atomic_load(&S.stopping))
        pthread_cond_wait(&S.done, &S.lock);
    pthread_mutex_unlock(&S.lock);

    join_workers();
    reclaim_after_run(); /* what the workers left when they parked */
    if (serving)
        atomic_fetch_sub(&S.holds, 1);

    pthread_mutex_lock(&S.lock);
    S.running = false;
    int code = S.exit_requested ? S.exit_code : 0;
    S.exit_requested = false;
    pthread_mutex_unlock(&S.lock);
    return code;
}
