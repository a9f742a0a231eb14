#!/usr/bin/env bash
# Monitor benchmarks, Release build: 1,000,000 monitors on one actor
# (fan-in), one watcher of 1,000,000 actors (fan-out), monitor/demonitor
# churn, and the stop path with and without a monitor in the program.
# Each RUNS times (default 3), interleaved; quote medians.
#   bench/monitors/run.sh [RUNS] [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3} n=${2:-1000000}
build="$root/build/release"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j 2 --target bench_monitors >/dev/null
echo "uptime: $(uptime)"
for _ in $(seq "$runs"); do
  for what in fan-in fan-out churn stops; do "$build/bench/monitors/monitors" "$what" "$n"; done
done
echo "uptime: $(uptime)"
