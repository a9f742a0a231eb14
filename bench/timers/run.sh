#!/usr/bin/env bash
# Timer benchmarks, Release build: 100,000 pending timers (lateness p50 /
# p99 / p99.9 / max) and an idle program with one timer a second (CPU per
# second between firings). Each RUNS times (default 3); quote medians.
#   bench/timers/run.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
build="$root/build/release"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j 2 --target bench_timers >/dev/null
echo "uptime: $(uptime)"
for _ in $(seq "$runs"); do "$build/bench/timers/timers" lateness 100000; done
for _ in $(seq "$runs"); do "$build/bench/timers/timers" idle 5; done
echo "uptime: $(uptime)"
