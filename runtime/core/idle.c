/* idle.c - a worker with no work of its own; see idle.h. */
#include "idle.h"

#include "actor.h"
#include "counters.h"
#include "io.h"
#include "scheduler.h"

/* Steal attempts over all victims before a spinning worker parks. */
#define STEAL_ROUNDS 4
#define SPIN_PAUSES 64 /* cpu_relax between rounds */

/* A worker that found no work may stay awake a while before it parks
 * (ALOX_LINGER_US, scheduler.c; off by default), looking at the injection
 * queue: a timer firing or a readiness message from the I/O thread (or a
 * plain thread's send) that comes within the window is taken with no futex
 * wake, which costs a parked vCPU 50-100 us before the behaviour runs. One
 * worker lingers at a time (it counts as spinning, so a sender wakes
 * nobody), and only after it ran something: an idle program pays one
 * window per burst of work, never more (test_idle_cpu). Measured on 2
 * shared vCPUs (bench/RESULTS.md, "Lingering"): 100,000 timers switch
 * context 65% less with 200 us; redis-benchmark -P 16 on the same 2 CPUs
 * lost 10-35% of its GET rate to the spinning, so it is not the default. */
#define LINGER_PAUSES 16 /* cpu_relax between looks; ~0.5-2 us */

#define S the_scheduler

void idle_stop_spinning(worker *w) {
    if (!w->spinning)
        return;
    w->spinning = false;
    /* The last spinner found work: there may be more, so let another
     * worker look (it will only be woken if some are idle). */
    if (atomic_fetch_sub(&S.spinning, 1) == 1 && scheduler_work_visible())
        scheduler_wake_if_needed();
}

static uint32_t next_random(worker *w) {
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 17;
    w->rng ^= w->rng << 5;
    return w->rng;
}

static actor *steal(worker *w) {
    actor *loot[RUNQUEUE_SIZE / 2];
    uint32_t start = next_random(w);
    for (uint32_t i = 0; i < S.threads; i++) {
        worker *victim = &S.workers[(start + i) % S.threads];
        if (victim == w)
            continue;
        uint32_t n = runqueue_steal(&victim->queue, loot, RUNQUEUE_SIZE / 2);
        for (uint32_t k = 1; k < n; k++)
            worker_push_local(w, loot[k]);
        if (!n && (loot[0] = runnext_thief_look(&victim->runnext)) != NULL) {
            n = 1; /* its owner is stuck in a batch (runnext.h) */
            scheduler_runnext_stolen();
        }
        if (n) {
            counters_stole();
            return loot[0];
        }
    }
    return NULL;
}

/* Spinning is bounded: at most half of the busy workers look for work at
 * once, so idle cores are not burned on fruitless stealing. */
static bool may_spin(worker *w) {
    if (w->spinning)
        return true;
    uint32_t spinning = atomic_load(&S.spinning);
    uint32_t busy = S.threads - atomic_load(&S.idle);
    if (2 * spinning >= busy)
        return false;
    w->spinning = true;
    atomic_fetch_add(&S.spinning, 1);
    return true;
}

/* After the steal rounds, before parking: see LINGER_PAUSES above. Local work cannot
 * appear meanwhile (only this worker pushes to its queue), stolen and
 * injected work can. */
static actor *linger(worker *w) {
    if (S.linger_ns == 0 || !w->ran_since_park || (!w->spinning && !may_spin(w)))
        return NULL;
    /* Relaxed: a hint; two workers that both linger only cost one window. */
    if (atomic_load_explicit(&S.spinning, memory_order_relaxed) > 1)
        return NULL;
    w->ran_since_park = false; /* one window per burst: the next park sleeps */
    uint64_t until = io_now_ns() + S.linger_ns;
    do {
        for (int p = 0; p < LINGER_PAUSES; p++)
            cpu_relax();
        actor *a = worker_take_injected(w);
        if (!a && S.threads > 1)
            a = steal(w);
        if (a)
            return a;
    } while (!scheduler_stopping() && io_now_ns() < until);
    return NULL;
}

actor *idle_search(worker *w) {
    actor *a = NULL;
    if (S.threads > 1 && may_spin(w)) {
        for (int round = 0; !a && round < STEAL_ROUNDS; round++) {
            a = steal(w);
            if (!a)
                a = worker_take_injected(w);
            for (int p = 0; !a && p < SPIN_PAUSES; p++)
                cpu_relax();
        }
    }
    return a ? a : linger(w);
}
