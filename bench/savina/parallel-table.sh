#!/usr/bin/env bash
# The parallel workloads' table, for run.sh: each system's time at N threads
# and at 1 (rows W and W@1 of raw.csv), and its speed-up from 1 to N.
#
#   parallel-table.sh RAW_CSV RESULTS_DIR N WORKLOAD...
#
# Prints the markdown tables (nothing if no parallel workload ran) and
# writes RESULTS_DIR/parallel.csv (workload, unit, system, ns per unit at 1
# thread, at N, speed-up, CPU seconds at 1 and at N). The second table is
# the CPU time (user + system, RESULTS_DIR/cpu.csv from run.sh) at 1 and at
# N threads and their difference: what running in parallel adds in work
# (stealing, waking, an idle thread that spins), which a loaded machine
# distorts less than elapsed time. Only the workloads trapezoid, chameneos and fib
# among WORKLOAD... are taken.
set -euo pipefail
raw=$1 results=$2 n=$3
shift 3
ws=()
parallel=" trapezoid chameneos fib "
for w in "$@"; do [[ $parallel == *" $w "* ]] && ws+=("$w"); done
[ ${#ws[@]} -eq 0 ] && exit 0
declare -A unit=([trapezoid]="ns/piece" [chameneos]="ns/meeting" [fib]="ns/actor")
systems=(alox caf erlang go baseline)
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
med() { awk -F, -v w="$1" -v s="$2" '$2 == w && $3 == s && $7 != "FAILED" {print $7}' "$raw" | median; }
fmt() { [ -z "$1" ] && { echo "-"; return; }; awk -v x="$1" 'BEGIN {printf (x >= 100 ? "%.0f" : "%.1f"), x}'; }

csv="$results/parallel.csv"
echo "workload,unit,system,ns_per_unit_1,ns_per_unit_$n,speedup,cpu_s_1,cpu_s_$n" >"$csv"
cpu_csv="$results/cpu.csv"
cpu() { [ -f "$cpu_csv" ] || return 0; awk -F, -v w="$1" -v s="$2" '$2 == w && $3 == s {print $4}' "$cpu_csv" | median; }
cpu_rows=()
echo
echo "Parallel workloads: time per unit at 1 thread → $n threads (speed-up); the C limit is the pthread pool (pool/)"
echo
echo "| workload | unit | Alox | CAF | Erlang | Go | C limit | Alox speed-up ÷ C limit's |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for w in "${ws[@]}"; do
  row="| $w | ${unit[$w]} |" cpu_row="| $w |"
  declare -A speedup=()
  for s in "${systems[@]}"; do
    one=$(med "$w@1" "$s") many=$(med "$w" "$s") sp=""
    [ -n "$one" ] && [ -n "$many" ] && sp=$(awk -v a="$one" -v b="$many" 'BEGIN {printf "%.2f", a / b}')
    speedup[$s]=$sp
    c1=$(cpu "$w@1" "$s") cn=$(cpu "$w" "$s")
    echo "$w,${unit[$w]},$s,$one,$many,$sp,$c1,$cn" >>"$csv"
    if [ -n "$c1" ] && [ -n "$cn" ]; then
      cpu_row+=" $c1 → $cn s ($(awk -v a="$c1" -v b="$cn" 'BEGIN {printf "%+.2f", b - a}') s) |"
    else cpu_row+=" - |"; fi
    if [ -z "$one$many" ]; then row+=" - |"; else row+=" $(fmt "$one") → $(fmt "$many") (${sp:--}×) |"; fi
  done
  rel="-"
  [ -n "${speedup[alox]}" ] && [ -n "${speedup[baseline]}" ] &&
    rel=$(awk -v a="${speedup[alox]}" -v b="${speedup[baseline]}" 'BEGIN {printf "%.2f", a / b}')
  echo "$row $rel |"
  cpu_rows+=("$cpu_row")
  unset speedup
done
if [ -f "$cpu_csv" ] && [ "$(wc -l <"$cpu_csv")" -gt 1 ]; then
  echo
  echo "CPU time (user + system, whole process, medians) at 1 → $n threads, and the difference: the work that"
  echo "running in parallel adds (start-up and the result check are the same at both counts and cancel out)"
  echo
  echo "| workload | Alox | CAF | Erlang | Go | C limit |"
  echo "|---|---:|---:|---:|---:|---:|"
  for r in "${cpu_rows[@]}"; do echo "$r"; done
fi
