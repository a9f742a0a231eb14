/*
 * counters_dump.c - linked into copies of the Savina programs for the
 * scaling study (bench/scaling/run.sh): when the program ends, prints the
 * runtime's own counters (runtime/core/counters.h) summed over the workers,
 * one line on stderr:
 *
 *   COUNTERS workers=8 runs=5167 sent=5166 steals=120 parks=300 busy_ms=410
 *
 * runs are actor batches, steals successful steals (each takes half a
 * queue), parks the times a worker went to sleep on its condition variable
 * (each one a trip through the scheduler lock, and one more for its
 * wake-up). Reading them at exit costs the workload nothing.
 */
#include <stdio.h>

#include "core/counters.h"

__attribute__((destructor)) static void counters_dump(void) {
    counters_view v;
    if (!counters_read(&v))
        return;
    uint64_t runs = 0, sent = 0, steals = 0, parks = 0, busy_ns = 0;
    for (size_t i = 0; i < v.worker_count; i++) {
        runs += v.workers[i].runs;
        sent += v.workers[i].sent;
        steals += v.workers[i].steals;
        parks += v.workers[i].parks;
        busy_ns += v.workers[i].busy_ns;
    }
    fprintf(stderr, "COUNTERS workers=%zu runs=%llu sent=%llu steals=%llu parks=%llu busy_ms=%llu\n",
            v.worker_count, (unsigned long long)runs, (unsigned long long)sent,
            (unsigned long long)steals, (unsigned long long)parks,
            (unsigned long long)(busy_ns / 1000000));
    counters_view_free(&v);
}
