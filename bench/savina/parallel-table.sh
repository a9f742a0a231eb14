#!/usr/bin/env bash
# The parallel workloads' table, for run.sh: each system's time at N threads
# and at 1 (rows W and W@1 of raw.csv), and its speed-up from 1 to N.
#
#   parallel-table.sh RAW_CSV RESULTS_DIR N WORKLOAD...
#
# Prints the markdown table (nothing if no parallel workload ran) and
# writes RESULTS_DIR/parallel.csv (workload, unit, system, ns per unit at 1
# thread, at N, speed-up). Only the workloads trapezoid, chameneos and fib
# among WORKLOAD... are taken.
set -euo pipefail
raw=$1 results=$2 n=$3
shift 3
ws=()
for w in "$@"; do case " trapezoid chameneos fib " in *" $w "*) ws+=("$w") ;; esac; done
[ ${#ws[@]} -eq 0 ] && exit 0
declare -A unit=([trapezoid]="ns/piece" [chameneos]="ns/meeting" [fib]="ns/actor")
systems=(alox caf erlang go baseline)
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
med() { awk -F, -v w="$1" -v s="$2" '$2 == w && $3 == s && $7 != "FAILED" {print $7}' "$raw" | median; }
fmt() { [ -z "$1" ] && { echo "-"; return; }; awk -v x="$1" 'BEGIN {printf (x >= 100 ? "%.0f" : "%.1f"), x}'; }

csv="$results/parallel.csv"
echo "workload,unit,system,ns_per_unit_1,ns_per_unit_$n,speedup" >"$csv"
echo
echo "Parallel workloads: time per unit at 1 thread → $n threads (speed-up); the C limit is the pthread pool (pool/)"
echo
echo "| workload | unit | Alox | CAF | Erlang | Go | C limit | Alox speed-up ÷ C limit's |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for w in "${ws[@]}"; do
  row="| $w | ${unit[$w]} |"
  declare -A speedup=()
  for s in "${systems[@]}"; do
    one=$(med "$w@1" "$s") many=$(med "$w" "$s") sp=""
    [ -n "$one" ] && [ -n "$many" ] && sp=$(awk -v a="$one" -v b="$many" 'BEGIN {printf "%.2f", a / b}')
    speedup[$s]=$sp
    echo "$w,${unit[$w]},$s,$one,$many,$sp" >>"$csv"
    if [ -z "$one$many" ]; then row+=" - |"; else row+=" $(fmt "$one") → $(fmt "$many") (${sp:--}×) |"; fi
  done
  rel="-"
  [ -n "${speedup[alox]}" ] && [ -n "${speedup[baseline]}" ] &&
    rel=$(awk -v a="${speedup[alox]}" -v b="${speedup[baseline]}" 'BEGIN {printf "%.2f", a / b}')
  echo "$row $rel |"
  unset speedup
done
