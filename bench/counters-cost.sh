#!/usr/bin/env bash
# What the runtime's counters cost on the six local Savina workloads:
# instructions (callgrind, 1 worker thread, deterministic) of a build with
# the counters against one with them compiled out (-DALOX_COUNTERS=OFF).
#
#   bench/counters-cost.sh [--only W[,W...]] [--time RUNS] ON_BUILD OFF_BUILD
#
# Both build directories must hold bench/savina/alox/ (Release). Without
# --time: one callgrind run per workload and side, the instruction totals
# and the difference in % of the OFF side. With --time RUNS: instead, RUNS
# interleaved timed runs per side (the order flipping every round) at the
# full sizes, all worker threads, and the medians in ns per unit: the
# figure to take on a quiet machine.
set -euo pipefail
# shellcheck source=interleaved.sh
source "$(dirname "$0")/interleaved.sh"
only="pingpong,counting,ring,big,forkjoin,skynet" time_runs=0
while [ $# -gt 2 ]; do
  case "$1" in
    --only) only=$2; shift 2 ;;
    --time) time_runs=$2; shift 2 ;;
    *) echo "counters-cost.sh: unknown flag '$1'" >&2; exit 2 ;;
  esac
done
on=${1:?usage: counters-cost.sh [--only W,...] [--time RUNS] ON_BUILD OFF_BUILD}/bench/savina/alox
off=${2:?usage: counters-cost.sh [--only W,...] [--time RUNS] ON_BUILD OFF_BUILD}/bench/savina/alox
IFS=, read -r -a workloads <<<"$only"
if [ "$time_runs" -gt 0 ]; then
  declare -A args=([pingpong]="1000000" [counting]="10000000" [ring]="10000000 100"
                   [forkjoin]="1000000" [big]="1000 1000" [skynet]="1000000")
  declare -A results
  for ((r = 1; r <= time_runs; r++)); do
    for w in "${workloads[@]}"; do
      for side in $(round_order "$r" off on); do
        dir=$on; [ "$side" = off ] && dir=$off
        # shellcheck disable=SC2086
        line=$(ALOX_TOP=0 "$dir/$w" ${args[$w]} | grep '^SAVINA ')
        results[$w,$side]+="$(ns_per_unit "$line") "
      done
    done
  done
  echo "ns per unit, medians of $time_runs interleaved runs: counters compiled out, counters on"
  printf '%-10s %10s %10s %8s\n' workload off on ratio
  for w in "${workloads[@]}"; do
    a=$(median <<<"${results[$w,off]}"); b=$(median <<<"${results[$w,on]}")
    printf '%-10s %10s %10s %8s\n' "$w" "$a" "$b" "$(ratio "$a" "$b")"
  done
  exit 0
fi
declare -A args=([pingpong]="200000" [counting]="1000000" [ring]="1000000 100"
                 [forkjoin]="100000" [big]="100 100" [skynet]="100000")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
instructions() { # DIR W: the program's total instructions under callgrind
  # shellcheck disable=SC2086
  ALOX_THREADS=1 ALOX_TOP=0 valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
    "$1/$2" ${args[$2]} >/dev/null 2>"$out/err" || { cat "$out/err" >&2; exit 1; }
  grep -o 'Collected : [0-9]*' "$out/err" | grep -o '[0-9]*$'
}
echo "instructions (callgrind, ALOX_THREADS=1 ALOX_TOP=0): counters compiled out, counters on"
printf '%-10s %-12s %14s %14s %8s\n' workload args off on cost
for w in "${workloads[@]}"; do
  a=$(instructions "$off" "$w"); b=$(instructions "$on" "$w")
  printf '%-10s %-12s %14s %14s %7s%%\n' "$w" "${args[$w]// /x}" "$a" "$b" \
    "$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%+.2f", (b - a) * 100 / a}')"
done
