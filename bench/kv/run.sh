#!/usr/bin/env bash
# demos/kv against Debian's redis-server, both driven by Debian's
# redis-benchmark on 127.0.0.1, interleaved:
#
#   bench/kv/run.sh [--runs 3] [-n 1000000] [--threads N] [--shards 4] [--results DIR]
#
# Each round runs `redis-benchmark -t set,get,incr -n N -c 50` without and
# with `-P 16` against each server (the order of the servers alternates
# from round to round); the table gives the medians of the rounds:
# requests per second and the p50 / p99 latency redis-benchmark reports.
# Both servers run for the whole benchmark: redis-server without
# persistence (--save "" --appendonly no), kv with its default 4 shards and
# one worker per CPU (or --threads). Raw CSV and the table go to the
# results directory (default build/kv-bench/results-DATE).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/setup.sh"
alox_setup
alox_setup "${ALOX_KV_BENCH_PACKAGES[@]}"

runs=3 requests=1000000 threads="" shards=4 results=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    -n) requests=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    *) echo "usage: bench/kv/run.sh [--runs R] [-n REQUESTS] [--threads N] [--shards S] [--results DIR]" >&2; exit 2 ;;
  esac
done
build="$root/build/kv-bench"
results=${results:-$build/results-$(date -u +%Y-%m-%d)}
mkdir -p "$results"
results=$(cd "$results" && pwd)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DALOX_BUILD_TESTS=OFF -DALOX_BUILD_CLANG=OFF >/dev/null
cmake --build "$build" -j 2 --target kv free_port >/dev/null

redis_port=$("$build/free_port")
kv_port=$("$build/free_port")
while [ "$kv_port" = "$redis_port" ]; do kv_port=$("$build/free_port"); done
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  > "$results/redis-server.log" 2>&1 &
redis_pid=$!
kv_flags=(--port "$kv_port" --shards "$shards")
[ -n "$threads" ] && kv_flags+=(--alox-threads "$threads")
"$build/demos/kv/kv" "${kv_flags[@]}" > "$results/kv.log" 2>&1 &
kv_pid=$!
trap 'kill $redis_pid $kv_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  redis-cli -p "$redis_port" PING >/dev/null 2>&1 && redis-cli -p "$kv_port" PING >/dev/null 2>&1 && break
  sleep 0.1
done

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit: $(git -C "$root" rev-parse --short HEAD)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs"
  echo "kernel: $(uname -r)"
  echo "redis: $(redis-server --version | head -1)"
  echo "kv: $(head -1 "$results/kv.log")"
  echo "uptime before: $(uptime)"
} > "$results/machine.txt"

raw="$results/raw.csv"
echo "round,server,pipeline,test,rps,p50_ms,p99_ms" > "$raw"
bench() { # bench SERVER PORT PIPELINE ROUND
  local server=$1 port=$2 pipeline=$3 round=$4
  redis-benchmark -p "$port" -t set,get,incr -n "$requests" -c 50 -P "$pipeline" --csv 2>/dev/null |
    tr -d '"' | awk -F, -v r="$round" -v s="$server" -v p="$pipeline" \
      '$1 ~ /^(SET|GET|INCR)$/ { print r "," s "," p "," $1 "," $2 "," $5 "," $7 }' >> "$raw"
}
for round in $(seq "$runs"); do
  order=(alox redis); [ $((round % 2)) = 0 ] && order=(redis alox)
  for pipeline in 1 16; do
    for server in "${order[@]}"; do
      port=$kv_port; [ "$server" = redis ] && port=$redis_port
      echo "round $round/$runs: $server, -P $pipeline" >&2
      bench "$server" "$port" "$pipeline" "$round"
    done
  done
  redis-cli -p "$kv_port" PING >/dev/null || { echo "kv stopped answering" >&2; tail "$results/kv.log"; exit 1; }
done
echo "uptime after: $(uptime)" >> "$results/machine.txt"

# Medians per (pipeline, test, server), then the table.
awk -F, 'NR > 1 { key = $3 "," $4 "," $2; n[key]++; rps[key, n[key]] = $5; p50[key, n[key]] = $6; p99[key, n[key]] = $7 }
  function median(arr, key, count,   i, j, v, t) {
    for (i = 1; i <= count; i++) v[i] = arr[key, i] + 0
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
  }
  END { for (key in n) print key "," median(rps, key, n[key]) "," median(p50, key, n[key]) "," median(p99, key, n[key]) }' "$raw" |
  sort > "$results/medians.csv"
{
  echo "| test | pipeline | Alox kv req/s | redis-server req/s | Alox ÷ redis | Alox p50 ms | redis p50 ms | Alox p99 ms | redis p99 ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for pipeline in 1 16; do
    for test in SET GET INCR; do
      a=$(grep "^$pipeline,$test,alox," "$results/medians.csv" || true)
      r=$(grep "^$pipeline,$test,redis," "$results/medians.csv" || true)
      [ -z "$a" ] || [ -z "$r" ] && continue
      IFS=, read -r _ _ _ a_rps a_p50 a_p99 <<< "$a"
      IFS=, read -r _ _ _ r_rps r_p50 r_p99 <<< "$r"
      ratio=$(awk -v a="$a_rps" -v r="$r_rps" 'BEGIN { printf "%.2f", a / r }')
      printf '| %s | %s | %.0f | %.0f | %s | %s | %s | %s | %s |\n' "$test" \
        "$([ "$pipeline" = 1 ] && echo none || echo "-P $pipeline")" "$a_rps" "$r_rps" "$ratio" \
        "$a_p50" "$r_p50" "$a_p99" "$r_p99"
    done
  done
} | tee "$results/table.md"
echo "medians of $runs rounds of $requests requests, 50 clients; results in $results" >&2
cat "$results/machine.txt" >&2
