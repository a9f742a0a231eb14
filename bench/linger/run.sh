#!/usr/bin/env bash
# Lingering A/B (ALOX_LINGER_US, worker.c): the same Release binaries with
# each window, interleaved, ROUNDS times (default 3):
#   - bench/timers/timers lateness 100000: p50 / p99 lateness and the
#     process's context switches (goal: p99 < 1 ms on a quiet machine);
#   - demos/kv under redis-benchmark -t get,incr -P 16 -c 50 -n N, against
#     redis-server in the same rounds (goal: kv >= redis);
#   - timers idle 5: CPU per second between firings (must stay ~0).
#   bench/linger/run.sh [ROUNDS] [WINDOWS_US (default "0 50 200")] [N (default 1000000)]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3} windows=${2:-"0 50 200"} requests=${3:-1000000}
build="$root/build/release"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j 2 --target bench_timers kv free_port >/dev/null
timers="$build/bench/timers/timers" kv="$build/demos/kv/kv"
echo "uptime: $(uptime)"
for round in $(seq "$rounds"); do
  for us in $windows; do
    line=$(ALOX_LINGER_US=$us perf stat -x, -o /tmp/linger-cs.$$ -e context-switches "$timers" lateness 100000)
    echo "round $round linger_us=$us $line context_switches=$(awk -F, '/context-switches/ { print $1 }' /tmp/linger-cs.$$)"
  done
done
rm -f /tmp/linger-cs.$$
redis_port=$("$build/free_port")
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null || true' EXIT
sleep 0.5
bench() { redis-benchmark -p "$1" -t get,incr -n "$requests" -c 50 -P 16 --csv 2>/dev/null | tr -d '"' |
  awk -F, '$1 ~ /^(GET|INCR)$/ { printf "%s %.0f/s p50 %s ms  ", $1, $2, $5 }'; }
for round in $(seq "$rounds"); do
  echo "round $round redis-server: $(bench "$redis_port")"
  for us in $windows; do
    port=$("$build/free_port")
    ALOX_LINGER_US=$us "$kv" --port "$port" >/dev/null 2>&1 &
    kv_pid=$!
    for _ in $(seq 50); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
    echo "round $round kv linger_us=$us: $(bench "$port")"
    kill "$kv_pid"; wait "$kv_pid" 2>/dev/null || true
  done
done
for us in $windows; do echo "idle linger_us=$us $(ALOX_LINGER_US=$us "$timers" idle 5)"; done
echo "uptime: $(uptime)"
