/*
 * ticks.h - the cheap clock that the counters (counters.h: timed batches,
 * time busy) and tracing (trace.h) read on their hot paths.
 *
 * A tick is one count of the CPU's time-stamp counter where it is
 * invariant (x86-64 with CPUID's "invariant TSC": one rate in every power
 * state and on every core): `rdtsc`, one instruction, about 10 ns on this
 * KVM guest against 25-40 ns for clock_gettime (and ~25 instructions
 * against 1 under callgrind). Elsewhere, or with ALOX_TRACE_CLOCK=monotonic,
 * a tick is a nanosecond of CLOCK_MONOTONIC.
 *
 * Ticks become nanoseconds by a calibration that needs no waiting: both
 * clocks are read together once (ticks_init) and again whenever a
 * conversion asks (ticks_to_ns), and the rate is the ratio of the two
 * spans since the first reading. The reading pairs are ~30 ns apart, so
 * the rate's error is ~30 ns over the span: 0.3 % after 10 ms, 3e-6 after
 * 10 s. Conversions are for readers (a snapshot, the trace writer), never
 * on a worker's path.
 *
 * Thread-safety: ticks_now from any thread once ticks_init returned
 * (workers start after it); ticks_init and the conversions from any
 * thread.
 */
#ifndef ALOX_TICKS_H
#define ALOX_TICKS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "support/platform.h"

/* Set once by ticks_init, before any thread reads the clock by it (the
 * workers are created after: thread creation orders it). */
extern bool ticks_are_tsc;

static inline uint64_t ticks_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t ticks_now(void) {
#if defined(__x86_64__)
    if (ALOX_LIKELY(ticks_are_tsc))
        return __builtin_ia32_rdtsc();
#endif
    return ticks_monotonic_ns();
}

/* Chooses the clock and takes the first calibration reading; idempotent. */
void ticks_init(void);

/* The rate: both clocks' spans from ticks_init to one moment. A reader
 * takes one and converts all its values with it, so they agree. */
typedef struct ticks_rate {
    uint64_t ticks, ns;
} ticks_rate;

ticks_rate ticks_rate_now(void);

/* A span of ticks as ns. */
uint64_t ticks_span_ns(ticks_rate rate, uint64_t ticks);

/* A reading of ticks_now as CLOCK_MONOTONIC ns (the trace writer: two
 * processes on one machine share the axis). */
uint64_t ticks_to_monotonic_ns(ticks_rate rate, uint64_t ticks);

#endif
