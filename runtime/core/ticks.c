/* ticks.c - choosing and calibrating the cheap clock; see ticks.h. */
#include "ticks.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

/* After this long (ns) the measured rate is kept: its error is then
 * ~30 ns a second (3e-8), and a rate that no longer moves keeps time
 * counters monotonic (a Prometheus counter must never go down). */
#define TICKS_SETTLED_NS 1000000000u

bool ticks_are_tsc;
/* The rate once settled; settled_ticks 0 until then. settled_ns is
 * written before settled_ticks (release) and read after it (acquire). */
static _Atomic uint64_t settled_ticks;
static uint64_t settled_ns;

/* Both clocks read together by ticks_init: the calibration's origin. */
static uint64_t origin_ticks, origin_ns;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t settle_lock = PTHREAD_MUTEX_INITIALIZER;

/* An invariant TSC ticks at one rate in every power state and on every
 * core (CPUID 0x80000007, EDX bit 8: "invariant TSC"); without it the
 * counter is no clock. */
static bool tsc_is_invariant(void) {
#if defined(__x86_64__)
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(0x80000000u, &eax, &ebx, &ecx, &edx) || eax < 0x80000007u)
        return false;
    __get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx);
    return (edx & (1u << 8)) != 0;
#else
    return false;
#endif
}

static void init_once(void) {
    const char *forced = getenv("ALOX_TRACE_CLOCK");
    /* A test may ask for the portable clock. */
    ticks_are_tsc = !(forced && strcmp(forced, "monotonic") == 0) && tsc_is_invariant();
    origin_ns = ticks_monotonic_ns();
    origin_ticks = ticks_now();
}

void ticks_init(void) { pthread_once(&once, init_once); }

ticks_rate ticks_rate_now(void) {
    ticks_init();
    /* Acquire: pairs with the release below, for settled_ns. */
    uint64_t t = atomic_load_explicit(&settled_ticks, memory_order_acquire);
    if (t)
        return (ticks_rate){t, settled_ns};
    uint64_t ns = ticks_monotonic_ns(), ticks = ticks_now();
    ticks_rate rate = {ticks - origin_ticks, ns - origin_ns};
    if (rate.ns >= TICKS_SETTLED_NS && rate.ticks) {
        pthread_mutex_lock(&settle_lock);
        if (!atomic_load_explicit(&settled_ticks, memory_order_relaxed)) {
            settled_ns = rate.ns;
            atomic_store_explicit(&settled_ticks, rate.ticks, memory_order_release);
        }
        pthread_mutex_unlock(&settle_lock);
        rate.ticks = atomic_load_explicit(&settled_ticks, memory_order_relaxed);
        rate.ns = settled_ns;
    }
    return rate;
}

uint64_t ticks_span_ns(ticks_rate rate, uint64_t ticks) {
    if (!ticks_are_tsc)
        return ticks;
    if (rate.ticks == 0)
        return 0;
    return (uint64_t)((unsigned __int128)ticks * rate.ns / rate.ticks);
}

uint64_t ticks_to_monotonic_ns(ticks_rate rate, uint64_t ticks) {
    if (!ticks_are_tsc)
        return ticks;
    if (ticks < origin_ticks) /* read before ticks_init: never, but keep it sane */
        return origin_ns;
    return origin_ns + ticks_span_ns(rate, ticks - origin_ticks);
}
