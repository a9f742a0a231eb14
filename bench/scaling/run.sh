#!/usr/bin/env bash
# The scaling study (bench/RESULTS.md, "Scaling past 2 cores"): the three
# parallel workloads of Alox at 1, 2, 4, ... worker threads on this
# machine's cores (more threads than cores from 4 on: a model of a bigger
# machine's contention, not of its speed), with the runtime's counters
# (counters_dump.c) and the kernel's (perf stat: context switches, CPU
# migrations, futex calls: each a contended lock or a sleep/wake-up).
#
#   bench/scaling/run.sh BUILD_DIR [RUNS] [THREADS...]   (RUNS default 3; THREADS 1 2 4 8 16 32 64)
#
# BUILD_DIR must have the target bench_scaling built. Runs interleave the
# thread counts; prints one line per workload and thread count, medians.
set -euo pipefail
export LC_ALL=C
build=$(cd "${1:?usage: $0 BUILD_DIR [RUNS] [THREADS...]}" && pwd)
runs=${2:-3}
shift $(($# >= 2 ? 2 : 1))
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(1 2 4 8 16 32 64)
bin=$build/bench/scaling
declare -A args=([trapezoid]="4000 2000" [chameneos]="200000 100" [fib]="36 20")
have_perf=0
perf stat -e context-switches -x, true 2>/dev/null && have_perf=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
declare -A vals
one() { # workload threads: appends "ms steals parks ctxsw futex" to vals
  local w=$1 n=$2 err=$work/err out ms steals parks cs fx
  # shellcheck disable=SC2086
  if [ $have_perf = 1 ]; then
    out=$(ALOX_THREADS=$n perf stat -x, -o "$work/perf" -e context-switches,syscalls:sys_enter_futex \
            "$bin/$w" ${args[$w]} 2>"$err")
    cs=$(awk -F, '$3 == "context-switches" {print $1}' "$work/perf")
    fx=$(awk -F, '$3 == "syscalls:sys_enter_futex" {print $1}' "$work/perf")
  else
    out=$(ALOX_THREADS=$n "$bin/$w" ${args[$w]} 2>"$err"); cs=- fx=-
  fi
  grep -q '^SAVINA ' <<<"$out" || { echo "$0: $w at $n threads failed" >&2; cat "$err" >&2; exit 1; }
  ms=$(sed -n 's/.* ns=\([0-9]*\).*/\1/p' <<<"$out" | awk '{printf "%.1f", $1 / 1e6}')
  steals=$(sed -n 's/.* steals=\([0-9]*\).*/\1/p' "$err")
  parks=$(sed -n 's/.* parks=\([0-9]*\).*/\1/p' "$err")
  vals[$w,$n,ms]+="$ms " vals[$w,$n,steals]+="$steals " vals[$w,$n,parks]+="$parks "
  vals[$w,$n,cs]+="$cs " vals[$w,$n,fx]+="$fx "
}
echo "scaling: $(nproc) CPUs, runs $runs, threads ${counts[*]}; load before: $(uptime | sed 's/.*load/load/')" >&2
for ((r = 0; r < runs; r++)); do
  for w in trapezoid chameneos fib; do
    for ((k = 0; k < ${#counts[@]}; k++)); do
      one "$w" "${counts[(k + r) % ${#counts[@]}]}" # the order rotates every round
    done
  done
done
echo "load after: $(uptime | sed 's/.*load/load/')" >&2
m() { tr ' ' '\n' <<<"${vals[$1]}" | sed '/^$/d' | median; }
echo "| workload | threads | ms | speed-up vs 1 | steals | parks | context switches | futex calls |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for w in trapezoid chameneos fib; do
  base=$(m "$w,${counts[0]},ms")
  for n in "${counts[@]}"; do
    ms=$(m "$w,$n,ms")
    printf '| %s %s | %s | %s | %s | %s | %s | %s | %s |\n' "$w" "${args[$w]}" "$n" "$ms" \
      "$(awk -v a="$base" -v b="$ms" 'BEGIN {printf "%.2f", a / b}')" "$(m "$w,$n,steals")" \
      "$(m "$w,$n,parks")" "$(m "$w,$n,cs")" "$(m "$w,$n,fx")"
  done
done
