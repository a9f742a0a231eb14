/* trace.c - the trace rings; see trace.h. */
#include "trace.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A ring's events are allocated on this boundary and the kernel asked to
 * back them with huge pages (MADV_HUGEPAGE): a 4 MiB ring of 4 KiB pages
 * took a page fault every 128 events of its first lap, ~1.7 us each here
 * (a third of a short traced ping-pong's time, ~4 % of a million
 * messages'); with 2 MiB pages, two. The events need no zeroing: the
 * writer reads only those written. */
#define TRACE_RING_ALIGN (2u << 20)

_Atomic bool trace_on;
ALOX_TLS trace_ring *trace_self;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static trace_ring *rings;     /* every ring, newest first */
static uint32_t ring_count;
/* Rings by worker index: as many as the scheduler may have workers
 * (SCHEDULER_MAX_THREADS; not included here, to keep trace.h out of the
 * scheduler's include cycle). */
#define TRACE_WORKER_RINGS 1024
static trace_ring *by_worker[TRACE_WORKER_RINGS];

void trace_start(void) {
    ticks_init();
    atomic_store_explicit(&trace_on, true, memory_order_relaxed);
}

uint64_t trace_ticks_to_ns(uint64_t ticks) {
    /* The rate over the whole run, taken at the first conversion (the
     * writer's, at exit), so every event converts alike. */
    static ticks_rate rate;
    if (!rate.ticks)
        rate = ticks_rate_now();
    return ticks_to_monotonic_ns(rate, ticks);
}

/* Under lock. */
static trace_ring *new_ring(int32_t worker) {
    trace_ring *r = calloc(1, sizeof *r);
    if (r) {
        r->events = aligned_alloc(TRACE_RING_ALIGN, TRACE_RING_EVENTS * sizeof *r->events);
#ifdef MADV_HUGEPAGE
        if (r->events) /* a hint: without it, or refused, 4 KiB pages */
            (void)madvise(r->events, TRACE_RING_EVENTS * sizeof *r->events, MADV_HUGEPAGE);
#endif
    }
    if (!r || !r->events)
        alox_fatal("out of memory for a trace buffer of %u events (ALOX_TRACE)", TRACE_RING_EVENTS);
    r->worker = worker;
    r->index = ring_count++;
    r->next = rings;
    rings = r;
    return r;
}

trace_ring *trace_ring_make(void) {
    pthread_mutex_lock(&lock);
    trace_self = new_ring(-1);
    trace_self->tid = gettid();
    pthread_mutex_unlock(&lock);
    return trace_self;
}

void trace_worker_begin(uint32_t index) {
    if (!trace_enabled() || index >= TRACE_WORKER_RINGS)
        return;
    pthread_mutex_lock(&lock);
    if (!by_worker[index])
        by_worker[index] = new_ring((int32_t)index);
    trace_self = by_worker[index];
    trace_self->tid = gettid();
    pthread_mutex_unlock(&lock);
}

uint64_t trace_remote_id(uint16_t node) {
    trace_ring *r = trace_self;
    if (!r)
        r = trace_ring_make();
    return TRACE_ID_REMOTE | (uint64_t)node << 47 | (uint64_t)(r->index & 0x7fff) << 32 |
           ++r->remote_seq;
}

trace_ring *trace_rings(void) {
    pthread_mutex_lock(&lock);
    trace_ring *r = rings;
    pthread_mutex_unlock(&lock);
    return r;
}
