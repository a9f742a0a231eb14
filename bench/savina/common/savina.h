/*
 * savina.h - what every C program of the Savina suite shares (the Alox
 * programs and the plain-C baseline): the clock, the arguments, and the
 * one result line that bench/savina/run.sh reads.
 *
 *     SAVINA workload=pingpong system=alox threads=2 units=2000000 ns=612345678 check=ok
 *
 * `units` is what the time is divided by (messages, hops or actors, see
 * bench/README.md), `ns` the wall-clock time of the workload alone (no
 * process start-up). A wrong result is reported on stderr and the program
 * exits with status 1: a benchmark that computes the wrong thing fast must
 * never print a figure.
 */
#ifndef SAVINA_H
#define SAVINA_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline int64_t savina_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Positional argument `index` (1-based) as a positive integer, or the default. */
static inline int64_t savina_arg(int argc, char **argv, int index, int64_t fallback) {
    if (argc <= index)
        return fallback;
    char *end = NULL;
    long long v = strtoll(argv[index], &end, 10);
    if (!end || *end || v <= 0) {
        fprintf(stderr, "%s: argument %d must be a positive integer, not '%s'\n", argv[0], index,
                argv[index]);
        exit(2);
    }
    return (int64_t)v;
}

static inline void savina_report(const char *workload, const char *system, int threads, int64_t units,
                                 int64_t ns) {
    printf("SAVINA workload=%s system=%s threads=%d units=%lld ns=%lld check=ok\n", workload, system,
           threads, (long long)units, (long long)ns);
    fflush(stdout);
}

/* A wrong result: say what was expected and what came, exit 1. */
__attribute__((noreturn, format(printf, 2, 3))) static inline void
savina_fail(const char *workload, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "SAVINA-FAIL %s: ", workload);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* skynet: actors in a 10-ary tree with `leaves` leaves (a power of 10). */
static inline int64_t savina_skynet_actors(int64_t leaves) {
    int64_t total = 0;
    for (int64_t level = leaves; level >= 1; level /= 10)
        total += level;
    return total;
}

static inline int savina_is_power_of_10(int64_t n) {
    while (n > 1 && n % 10 == 0)
        n /= 10;
    return n == 1;
}

/* fork-join: the value worker i sends back (a little arithmetic, as in
 * Savina's fork-join, so the reply depends on the request). */
static inline int64_t savina_forkjoin_value(int64_t i) { return (i * 7 + 3) % 1000; }

static inline int64_t savina_forkjoin_expected(int64_t n) {
    int64_t sum = 0;
    for (int64_t i = 0; i < n; i++)
        sum += savina_forkjoin_value(i);
    return sum;
}

#endif
