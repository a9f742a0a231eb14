/*
 * lookup_future.c - alox_lookup_future (alox.h): alox_lookup as a future,
 * for behaviours, which must not block a worker. The lookup itself waits
 * (net/remote.c), so it runs on a thread of its own, one per lookup
 * (lookups are rare: a program looks up its peers' names a few times), and
 * fulfils the future when it is done. The thread holds the scheduler so
 * alox_run does not end while a lookup is under way.
 *
 * Thread-safety: alox__lookup_future from any thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "alox.h"
#include "core/future.h"
#include "support/platform.h"

typedef struct lookup_job {
    alox_future_handle future;
    char *node, *name, *spelled;
    int timeout_ms;
} lookup_job;

static void *run_lookup(void *arg) {
    lookup_job *job = arg;
    void *found = alox__lookup(job->node, job->name, job->timeout_ms, job->spelled, (void *)0);
    future_fulfil(job->future, found ? ALOX_OK : ALOX_TARGET_DOWN, &found, sizeof found);
    free(job->node);
    free(job->name);
    free(job->spelled);
    free(job);
    alox_release();
    return NULL;
}

alox_future_handle alox__lookup_future(const char *node, const char *name, int timeout_ms,
                                       const char *spelled, ...) {
    lookup_job *job = calloc(1, sizeof *job);
    if (!job || !(job->node = strdup(node ? node : "")) || !(job->name = strdup(name ? name : "")) ||
        !(job->spelled = strdup(spelled ? spelled : "")))
        alox_fatal("out of memory for alox_lookup_future");
    job->timeout_ms = timeout_ms;
    job->future = future_new_pending();
    alox_future_handle future = job->future;
    alox_hold();
    pthread_attr_t attr;
    pthread_t thread;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attr, run_lookup, job) != 0)
        alox_fatal("cannot start a thread for alox_lookup_future(\"%s\", \"%s\")", node, name);
    pthread_attr_destroy(&attr);
    return future;
}
