#!/usr/bin/env bash
# Time and peak RSS of Savina programs, before/after and against CAF, in
# one interleaved run (issue 14, item 4b):
#
#   bench/lifetime/savina_memory.sh [--runs N] BEFORE_DIR AFTER_DIR CAF_DIR [WORKLOAD...]
#
# Each DIR holds the programs of one system (build/savina/alox, .../caf,
# or an older Alox build's bench/savina/alox: bench/savina/ab.sh leaves
# them under build/ab/). Every round runs each workload once per system,
# the order rotating; prints the medians of ns per unit and of peak RSS.
set -euo pipefail
runs=5
[ "${1:-}" = --runs ] && { runs=$2; shift 2; }
[ $# -ge 3 ] || { sed -n '2,10p' "$0"; exit 2; }
before=$1 after=$2 caf=$3; shift 3
workloads=("$@"); [ ${#workloads[@]} -gt 0 ] || workloads=(skynet forkjoin)
systems=(before after caf)
declare -A dir=([before]=$before [after]=$after [caf]=$caf)
out=$(mktemp); trap 'rm -f "$out" "$out.t"' EXIT
for ((r = 0; r < runs; r++)); do
  for w in "${workloads[@]}"; do
    for ((k = 0; k < 3; k++)); do
      s=${systems[$(((k + r) % 3))]}
      line=$(/usr/bin/time -f %M -o "$out.t" "${dir[$s]}/$w" | grep '^SAVINA')
      units=$(sed 's/.*units=\([0-9]*\).*/\1/' <<<"$line") ns=$(sed 's/.*ns=\([0-9]*\).*/\1/' <<<"$line")
      echo "$w $s $(awk -v n="$ns" -v u="$units" 'BEGIN {print n / u}') $(tail -n1 "$out.t")" >>"$out"
    done
  done
done
declare -A t m
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
printf '%-10s %12s %12s %12s %8s %10s %10s %10s %10s\n' workload "before ns" "after ns" "caf ns" after/bef \
  "before MB" "after MB" "caf MB" after/caf
for w in "${workloads[@]}"; do
  for s in "${systems[@]}"; do
    t[$s]=$(awk -v w="$w" -v s="$s" '$1 == w && $2 == s {print $3}' "$out" | median)
    m[$s]=$(awk -v w="$w" -v s="$s" '$1 == w && $2 == s {print $4 / 1024}' "$out" | median)
  done
  awk -v w="$w" -v tb="${t[before]}" -v ta="${t[after]}" -v tc="${t[caf]}" -v mb="${m[before]}" \
      -v ma="${m[after]}" -v mc="${m[caf]}" \
      'BEGIN {printf "%-10s %12.1f %12.1f %12.1f %8.3f %10.1f %10.1f %10.1f %10.2f\n", w, tb, ta, tc, ta / tb, mb, ma, mc, ma / mc}'
done
echo "medians of $runs interleaved runs; $(uptime | sed 's/.*load/load/')"
