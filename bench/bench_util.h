/* bench_util.h - timing and medians for the benchmarks (not for tests). */
#ifndef ALOX_BENCH_UTIL_H
#define ALOX_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int bench_compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline double bench_median(double *values, int n) {
    qsort(values, (size_t)n, sizeof *values, bench_compare);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* Peak resident set size of this process, in bytes (from /proc). */
static inline long bench_rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * 4096;
}

/* "name=value" integer argument, or the default. */
static inline long bench_arg(int argc, char **argv, const char *name, long fallback) {
    size_t n = 0;
    while (name[n])
        n++;
    for (int i = 1; i < argc; i++)
        if (!__builtin_strncmp(argv[i], name, n) && argv[i][n] == '=')
            return atol(argv[i] + n + 1);
    return fallback;
}

#endif
