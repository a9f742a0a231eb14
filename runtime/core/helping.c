/* helping.c - a waiting worker runs other actors' batches; see helping.h. */
#include "helping.h"

#include <stdlib.h>

#include "actor.h"
#include "scheduler.h"
#include "support/platform.h"

/* Batches of its target a helping worker runs at most in one go: the
 * target runs on while it is more than a quarter of the limit behind
 * (it then goes back to the run-next slot, worker.c), but other senders
 * may keep it there; after these the waiting send looks again (its time
 * bound, a run that stops). 64 batches: 6,400 messages. */
#define HELP_TARGET_BATCHES 64u

static ALOX_TLS worker *helper; /* this worker's record for helped batches */
static ALOX_TLS bool helping;

bool helping_now(void) { return helping; }

static worker *record(void) {
    if (ALOX_UNLIKELY(helper == NULL)) {
        helper = calloc(1, sizeof *helper);
        if (!helper)
            alox_fatal("out of memory for a worker's helper record");
        worker_record_init(helper, WORKER_GUEST_INDEX, 1);
    }
    return helper;
}

/* What the helped batches left on h goes to w: its slot's actor last, so
 * it lands in w's slot (the target, run there again by the next help). */
static void hand_back(worker *w, worker *h) {
    actor *next = runnext_take(&h->runnext); /* h's slot: no thief looks at it */
    for (actor *a; (a = runqueue_pop(&h->queue));)
        worker_push_local(w, a);
    while (h->fresh_top != h->fresh_bottom)
        worker_push_displaced(w, h->fresh[h->fresh_bottom++ % FRESH_SIZE]);
    if (next)
        worker_schedule(w, next);
    /* Its counts are the worker's (counters_publish). */
    w->runs += h->runs;
    w->sends += h->sends;
    h->runs = 0;
    h->sends = 0;
    scheduler_wake_if_needed();
}

static worker *begin(worker *w) {
    worker *h = record();
    h->batch_flags = w->batch_flags & WORKER_BATCH_TRACE; /* a timed batch is the worker's own */
    helping = true;
    worker_self = h;
    return h;
}

static void end(worker *w, worker *h) {
    worker_self = w;
    helping = false;
    hand_back(w, h);
}

/* One batch of `a` on the helper record; more while `a` is the target
 * and still far behind (it then went to h's slot: worker.c, pressing). */
static void run_helped(worker *w, actor *a, actor *target) {
    worker *h = begin(w);
    worker_run_batch(h, a);
    for (uint32_t k = 1; a == target && k < HELP_TARGET_BATCHES &&
                         runnext_peek(&h->runnext) == target && !scheduler_stopping();
         k++)
        worker_run_batch(h, runnext_take(&h->runnext));
    end(w, h);
}

bool helping_run_target(worker *w, actor *target) {
    if (runnext_peek(&w->runnext) != target)
        return false;
    actor *a = runnext_take(&w->runnext); /* only thieves empty it meanwhile */
    if (!a)
        return false;
    run_helped(w, a, target);
    return true;
}

bool helping_run_own(worker *w, actor *target) {
    actor *a = worker_take_own(w);
    if (!a)
        return false;
    run_helped(w, a, target);
    return true;
}

void helping_thread_exit(void) {
    free(helper);
    helper = NULL;
}
