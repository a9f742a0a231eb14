// savina.hpp - what the CAF programs of the Savina suite share: the clock,
// the arguments, the scheduler configuration and the result line (the same
// line as common/savina.h prints for the C programs).
//
// Threads: CAF 0.17's default is max(4, cores) scheduler threads, which on
// 2 cores is slower than 2 (shared/notes/perf-anchors.md). We set
// scheduler.max-threads to the CPUs this process may use (SAVINA_THREADS
// overrides), i.e. 2 on a 2-core machine.
#ifndef SAVINA_CAF_HPP
#define SAVINA_CAF_HPP

#include <sched.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "caf/all.hpp"

namespace savina {

inline int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline int64_t arg(int argc, char** argv, int index, int64_t fallback) {
    if (argc <= index)
        return fallback;
    char* end = nullptr;
    long long v = std::strtoll(argv[index], &end, 10);
    if (!end || *end || v <= 0) {
        std::fprintf(stderr, "%s: argument %d must be a positive integer, not '%s'\n", argv[0],
                     index, argv[index]);
        std::exit(2);
    }
    return v;
}

inline int threads() {
    if (const char* env = std::getenv("SAVINA_THREADS"))
        return std::atoi(env);
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    return 2;
}

inline void configure(caf::actor_system_config& cfg) {
    cfg.set("scheduler.max-threads", threads());
}

inline void report(const char* workload, caf::actor_system& sys, int64_t units, int64_t ns) {
    std::printf("SAVINA workload=%s system=caf threads=%zu units=%lld ns=%lld check=ok\n", workload,
                sys.scheduler().num_workers(), static_cast<long long>(units),
                static_cast<long long>(ns));
    std::fflush(stdout);
}

[[noreturn]] inline void fail(const char* workload, const std::string& what) {
    std::fprintf(stderr, "SAVINA-FAIL %s: %s\n", workload, what.c_str());
    std::fflush(stderr);
    std::_Exit(1);
}

inline int64_t skynet_actors(int64_t leaves) {
    int64_t total = 0;
    for (int64_t level = leaves; level >= 1; level /= 10)
        total += level;
    return total;
}

inline bool is_power_of_10(int64_t n) {
    while (n > 1 && n % 10 == 0)
        n /= 10;
    return n == 1;
}

inline int64_t forkjoin_value(int64_t i) { return (i * 7 + 3) % 1000; }

inline int64_t forkjoin_expected(int64_t n) {
    int64_t sum = 0;
    for (int64_t i = 0; i < n; i++)
        sum += forkjoin_value(i);
    return sum;
}

} // namespace savina

#endif
