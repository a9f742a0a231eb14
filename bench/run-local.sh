#!/usr/bin/env bash
# Local benchmarks of the runtime: ping-pong, counting and bytes per actor,
# each through the hand-written ABI (abi_*.c) and through the plugin (the
# Savina programs bench/savina/alox/pingpong.c and counting.c, the same
# actors), interleaved so that machine noise hits both alike. Prints medians.
#   bench/run-local.sh [rounds]      (default 5 alternations)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/setup.sh"
alox_setup
build="${ALOX_BUILD_DIR:-$root/build/release}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DALOX_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" \
  --target benchmarks savina_alox_pingpong savina_alox_counting >/dev/null
b="$build/bench"
rounds="${1:-5}"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# ns per message of one run: the ABI programs print "... N ns/msg", the
# plugin ones (bench/savina/alox) a "SAVINA ... units=U ns=T" line.
per_msg() {
  case "$1" in
    abi_*) "$b/$1" runs=1 | grep -o '[0-9.]* ns/msg' | cut -d' ' -f1 ;;
    *) "$b/savina/alox/$1" | awk '/^SAVINA/ {for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}
                                           printf "%.1f\n", v["ns"] / v["units"]}' ;;
  esac
}
programs=(abi_pingpong pingpong abi_counting counting)
declare -A results
for ((i = 0; i < rounds; i++)); do
  for prog in "${programs[@]}"; do
    results[$prog]+="$(per_msg "$prog") "
  done
done
med() { tr ' ' '\n' <<<"${results[$1]}" | sed '/^$/d' | median; }
for prog in "${programs[@]}"; do
  printf '%-14s median %6.1f ns/msg  (runs: %s)\n' "$prog" "$(med "$prog")" "${results[$prog]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
echo "plugin / hand-written ABI: pingpong $(ratio "$(med pingpong)" "$(med abi_pingpong)")," \
     "counting $(ratio "$(med counting)" "$(med abi_counting)")"
"$b/abi_actor_size"
