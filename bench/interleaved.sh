# shellcheck shell=bash
# interleaved.sh - what the interleaved A/B benchmarks share; sourced by
# bench/counters-cost.sh, bench/trace-cost.sh and bench/savina/ab.sh:
#
#   round_order ROUND A B   prints "A B", or "B A" on even rounds: the
#                           order flips every round, so neither side always
#                           runs on a warmer machine
#   ns_per_unit LINE        the ns per unit (3 decimals) of a Savina
#                           program's "SAVINA ... ns=N units=U" line
#   median                  the median of the numbers on stdin (separated by
#                           spaces or newlines; an even count: the mean of
#                           the middle two)
#   ratio A B [DECIMALS]    B / A (default 3 decimals)

round_order() {
  if [ $(($1 % 2)) -eq 0 ]; then echo "$3 $2"; else echo "$2 $3"; fi
}

ns_per_unit() {
  local ns units
  ns=$(grep -o ' ns=[0-9]*' <<<"$1" | cut -d= -f2)
  units=$(grep -o ' units=[0-9]*' <<<"$1" | cut -d= -f2)
  awk -v n="$ns" -v u="$units" 'BEGIN {printf "%.3f", n / u}'
}

median() {
  tr ' ' '\n' | sed '/^$/d' | sort -g |
    awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

ratio() {
  awk -v a="$1" -v b="$2" -v f="%.${3:-3}f" 'BEGIN {printf f, b / a}'
}
