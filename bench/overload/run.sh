#!/usr/bin/env bash
# Overload benchmarks (bench/README.md, "Overload"): the flood and the
# fan-in with backpressure off (ALOX_MAILBOX_LIMIT=0) and on (the default),
# interleaved, with peak RSS from /usr/bin/time.
#   bench/overload/run.sh BUILD_DIR [--runs N] [--threads T]
set -euo pipefail
build=${1:?give the build directory (cmake --build BUILD --target bench_flood bench_fan_in)}
shift
runs=3 threads=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift ;;
    --threads) threads=$2; shift ;;
    *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
dir="$build/bench/overload"
[ -x "$dir/flood" ] && [ -x "$dir/fan_in" ] || { echo "run.sh: build bench_flood and bench_fan_in in $build first" >&2; exit 2; }
export ALOX_TOP=0
[ -n "$threads" ] && export ALOX_THREADS=$threads
for r in $(seq "$runs"); do
  for limit in 0 16384; do
    for prog in "flood 50000000 1000 10" "fan_in 10000 1000 10"; do
      set -- $prog
      out=$(ALOX_MAILBOX_LIMIT=$limit /usr/bin/time -f "rss_kib=%M" "$dir/$1" "${@:2}" 2>&1)
      echo "run=$r limit=$limit $(echo "$out" | tr '\n' ' ')"
    done
  done
done
