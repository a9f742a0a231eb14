#!/usr/bin/env bash
# What ALOX_TRACE costs: the Savina programs of one Release build run with
# and without tracing, interleaved (the order flipping every round), with
# the medians and the ratio per workload. The counters (on by default) are
# measured against a build without them with bench/counters-cost.sh.
#
#   bench/trace-cost.sh [--runs N] [--only W[,W...]] BUILD_DIR
#
# BUILD_DIR holds bench/savina/alox/ (e.g. build/ab/rev-*/build after an
# ab.sh run, or any Release build with the savina_alox_* targets built).
set -euo pipefail
# shellcheck source=interleaved.sh
source "$(dirname "$0")/interleaved.sh"
runs=7 only="pingpong,ring"
while [ $# -gt 1 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "trace-cost.sh: unknown flag '$1'" >&2; exit 2 ;;
  esac
done
dir=${1:?usage: trace-cost.sh [--runs N] [--only W,...] BUILD_DIR}/bench/savina/alox
declare -A args=([pingpong]="1000000" [counting]="10000000" [ring]="10000000 100"
                 [forkjoin]="1000000" [big]="1000 1000" [skynet]="1000000")
trace=$(mktemp --suffix=.json)
trap 'rm -f "$trace"' EXIT
IFS=, read -r -a workloads <<<"$only"
declare -A results
for ((r = 1; r <= runs; r++)); do
  for w in "${workloads[@]}"; do
    for side in $(round_order "$r" off on); do
      if [ "$side" = on ]; then
        # shellcheck disable=SC2086
        line=$(ALOX_TRACE="$trace" "$dir/$w" ${args[$w]} | grep '^SAVINA ')
      else
        # shellcheck disable=SC2086
        line=$("$dir/$w" ${args[$w]} | grep '^SAVINA ')
      fi
      results[$w,$side]+="$(ns_per_unit "$line") "
    done
  done
done
echo "ns per unit, medians of $runs interleaved runs: tracing off, tracing on (ALOX_TRACE)"
printf '%-10s %10s %10s %8s\n' workload off on ratio
for w in "${workloads[@]}"; do
  a=$(median <<<"${results[$w,off]}"); b=$(median <<<"${results[$w,on]}")
  printf '%-10s %10s %10s %8s\n' "$w" "$a" "$b" "$(ratio "$a" "$b" 2)"
done
