/* future_await.c - alox_await: a thread that blocks until its future is
 * answered or its timeout passes; see future.h (the entry: future_entry.h). */
#include "future.h"
#include "future_entry.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "scheduler.h"
#include "worker.h"
#include "support/platform.h"

void future_wake(waiter *w, alox_status status, const void *value, uint32_t size) {
    pthread_mutex_lock(&w->lock);
    w->status = status;
    if (status == ALOX_OK && value)
        memcpy(w->value, value, size < w->size ? size : w->size);
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static bool scheduler_running(void) {
    pthread_mutex_lock(&the_scheduler.lock);
    bool running = the_scheduler.running;
    pthread_mutex_unlock(&the_scheduler.lock);
    return running;
}

static void deadline_after(struct timespec *at, uint64_t ms) {
    clock_gettime(CLOCK_MONOTONIC, at);
    at->tv_sec += (time_t)(ms / 1000u);
    at->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (at->tv_nsec >= 1000000000L) {
        at->tv_sec++;
        at->tv_nsec -= 1000000000L;
    }
}

/* Wait for the answer or the deadline. A timeout counts only if the entry
 * is still unanswered when we take its lock; else the answer is in *w. */
static alox_status wait_answer(future *f, waiter *w, uint64_t timeout_ms) {
    struct timespec at;
    if (timeout_ms)
        deadline_after(&at, timeout_ms);
    pthread_mutex_lock(&w->lock);
    bool timed_out = false;
    while (!w->done && !timed_out)
        timed_out = (timeout_ms ? pthread_cond_timedwait(&w->cond, &w->lock, &at)
                                : pthread_cond_wait(&w->cond, &w->lock)) == ETIMEDOUT;
    bool done = w->done;
    pthread_mutex_unlock(&w->lock);
    if (done)
        return w->status;
    lock(f);
    if (f->state != DONE) {
        f->state = DONE;
        f->timed_out = true;
        unlock(f);
        future_count_timeout();
        return ALOX_TIMEOUT;
    }
    unlock(f); /* answered meanwhile: wake ran under the lock, before us */
    return w->status;
}

/* Only main (the thread alox_run belongs to) may run the workers itself. */
static bool is_main_thread(void) { return (pid_t)syscall(SYS_gettid) == getpid(); }

/* The workers run on a thread of their own while an await before alox_run
 * waits; one such run at a time (drive_lock). */
static pthread_mutex_t drive_lock = PTHREAD_MUTEX_INITIALIZER;
static int driven_exit_code;

static void *drive(void *unused) {
    (void)unused;
    driven_exit_code = scheduler_run();
    return NULL;
}

alox_status alox_await_value(alox_future_handle h, uint64_t timeout_ms, void *value, uint32_t value_size) {
    if (worker_self)
        alox_fatal("alox_await inside a behaviour would block a worker (the program can "
                   "deadlock): use alox_then(future, self, on_value, timeout_ms)");
    future *f = future_of(h);
    if (!f)
        return ALOX_TARGET_DOWN;
    waiter w = {.value = value, .size = value_size};
    pthread_mutex_init(&w.lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w.cond, &attr);
    pthread_condattr_destroy(&attr);

    lock(f);
    if (future_consume(f, AWAIT))
        future_wake(&w, f->status, f->stored, f->stored_size);
    else
        f->waiting = &w;
    bool drove = false;
    pthread_t driver;
    if (!w.done && is_main_thread() && !scheduler_running()) {
        /* Nothing runs the request yet: run the workers until it is answered.
         * (A plain thread waits: main's alox_run will run it.) */
        unlock(f);
        pthread_mutex_lock(&drive_lock);
        alox_hold(); /* quiescence must not end the run before the answer */
        if (pthread_create(&driver, NULL, drive, NULL) != 0)
            alox_fatal("cannot start the workers for alox_await");
        drove = true;
    } else {
        unlock(f);
    }
    alox_status status = wait_answer(f, &w, timeout_ms);
    if (drove) {
        alox_exit(0);
        pthread_join(driver, NULL);
        alox_release();
        if (driven_exit_code != 0)
            alox_exit(driven_exit_code); /* a behaviour's alox_exit: the next alox_run returns it */
        pthread_mutex_unlock(&drive_lock);
    }
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    future_unref(f);
    return status;
}
