#!/usr/bin/env bash
# User-space instructions per request of demos/kv under callgrind, the
# measure that holds on a loaded machine (requests/s do not):
#
#   bench/kv/instructions.sh KV_BINARY FREE_PORT TEST [-n N] [--warm TESTS] [-- kv arguments...]
#
# Starts kv under `valgrind --tool=callgrind`, warms it up with
# `redis-benchmark -t TESTS -n 1000 -c 50` (default TESTS: TEST; give
# set,get so a GET finds its key), zeroes the counts (callgrind_control
# -z), runs `redis-benchmark -t TEST -n N -c 50` (default N 20000, no
# pipelining), dumps and prints the instructions of the whole process
# divided by N, and the ten functions that took most of them. Pass
# `-- --alox-threads 1` for counts that move least between runs (the
# idle paths of several workers vary with the timing).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: bench/kv/instructions.sh KV FREE_PORT TEST [-n N] [--warm TESTS] [-- kv args]" >&2; exit 2; }
kv=$1 free_port=$2 test=$3
shift 3
n=20000 warm=$test
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    --warm) warm=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "bench/kv/instructions.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
dir=$(mktemp -d)
port=$("$free_port")
valgrind --tool=callgrind --callgrind-out-file="$dir/cg.%p" --dump-instr=no --compress-strings=no \
  --compress-pos=no "$kv" --port "$port" "$@" > "$dir/kv.log" 2>&1 &
pid=$!
disown "$pid" # ended with kill -9 below: no job report from the shell
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 300); do redis-cli -p "$port" PING > /dev/null 2>&1 && break; sleep 0.2; done
redis-benchmark -p "$port" -t "$warm" -n 1000 -c 50 -q > /dev/null 2>&1
callgrind_control -z "$pid" > /dev/null 2>&1
redis-benchmark -p "$port" -t "$test" -n "$n" -c 50 -q 2>&1 | tr '\r' '\n' | grep "per second" >&2 || true
callgrind_control -d "$pid" > /dev/null 2>&1
sleep 1
kill -9 $pid 2>/dev/null || true
while kill -0 $pid 2>/dev/null; do sleep 0.1; done
dump=$(ls "$dir"/cg.*.1)
# Self cost per function: the lines after fn= up to the next fn=, but not
# the inclusive cost line that follows each calls=.
awk -v n="$n" '
  /^fn=/ { fn = substr($0, 4); next }
  /^calls=/ { skip = 1; next }
  /^[0-9+-]/ { if (skip) { skip = 0; next } self[fn] += $2; total += $2 }
  END {
    printf "%s: %.0f instructions per request (%d requests)\n", "'"$test"'", total / n, n
    for (f in self) printf "%10.1f %s\n", self[f] / n, f | "sort -rn | head -10"
  }' "$dump"
