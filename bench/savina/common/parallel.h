/*
 * parallel.h - what the three parallel workloads compute, for the C
 * programs (Alox and the C limit's pthread pool); the CAF, Erlang and Go
 * programs compute the same (caf/savina.hpp, erlang/savina.hrl,
 * go/common/savina.go), and every program checks its result the same way.
 *
 * trapezoid: the integral of f(x) = sqrt(1 + x^3) * sin(x) over [0, 10] by
 *   the trapezoid rule, split into `pieces` equal pieces of `steps` steps
 *   each; one actor per piece (a few tens of µs of arithmetic each). The
 *   answer is checked against the same pieces summed in order on one
 *   thread after the timed part (relative error below 1e-9: the parallel
 *   sum adds the pieces in arrival order).
 * chameneos: `chameneos` actors of three colours meet through one broker
 *   (the mall) until `meetings` meetings have taken place; at a meeting both
 *   take the complement of the two colours. Each reports how many meetings
 *   it took part in: the sum must be 2 * meetings.
 * fib: fib(n), one actor per call while the argument is above `cutoff`,
 *   a plain recursive function below it; checked against the iterative
 *   fib(n). Units: the actors (fib_actors).
 */
#ifndef SAVINA_PARALLEL_H
#define SAVINA_PARALLEL_H

#include <math.h>
#include <stdint.h>

#define TRAPEZOID_LEFT 0.0
#define TRAPEZOID_RIGHT 10.0

static inline double trapezoid_f(double x) { return sqrt(1.0 + x * x * x) * sin(x); }

/* The trapezoid rule over piece `index` of `pieces`, `steps` steps. */
static inline double trapezoid_piece(int64_t index, int64_t pieces, int64_t steps) {
    double width = (TRAPEZOID_RIGHT - TRAPEZOID_LEFT) / (double)pieces;
    double lo = TRAPEZOID_LEFT + width * (double)index;
    double h = width / (double)steps;
    double sum = (trapezoid_f(lo) + trapezoid_f(lo + width)) / 2.0;
    for (int64_t i = 1; i < steps; i++)
        sum += trapezoid_f(lo + h * (double)i);
    return sum * h;
}

static inline double trapezoid_expected(int64_t pieces, int64_t steps) {
    double sum = 0.0;
    for (int64_t i = 0; i < pieces; i++)
        sum += trapezoid_piece(i, pieces, steps);
    return sum;
}

static inline int trapezoid_close(double got, double want) {
    return fabs(got - want) <= 1e-9 * fabs(want);
}

/* Chameneos colours 0, 1, 2; two that meet both take this one. */
static inline int32_t chameneos_complement(int32_t a, int32_t b) { return a == b ? a : 3 - a - b; }

static inline int64_t fib_sequential(int32_t n) { return n < 2 ? n : fib_sequential(n - 1) + fib_sequential(n - 2); }

static inline int64_t fib_iterative(int32_t n) {
    int64_t a = 0, b = 1;
    for (int32_t i = 0; i < n; i++) {
        int64_t t = a + b;
        a = b;
        b = t;
    }
    return a;
}

/* Actors fib(n) creates: itself, and its two children's while n > cutoff. */
static inline int64_t fib_actors(int32_t n, int32_t cutoff) {
    return n <= cutoff ? 1 : 1 + fib_actors(n - 1, cutoff) + fib_actors(n - 2, cutoff);
}

#endif
