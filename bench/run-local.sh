#!/usr/bin/env bash
# Local benchmarks of the runtime: ping-pong, counting and bytes per actor,
# each through the hand-written ABI and through the plugin, interleaved so
# that machine noise hits both alike. Prints medians of medians.
#   bench/run-local.sh [rounds]      (default 5 alternations)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/setup.sh"
alox_setup
build="${ALOX_BUILD_DIR:-$root/build/release}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DALOX_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target benchmarks >/dev/null
b="$build/bench"
rounds="${1:-5}"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
pick() { grep -o '[0-9.]* ns/msg' | cut -d' ' -f1; }
declare -A results
for ((i = 0; i < rounds; i++)); do
  for prog in abi_pingpong pingpong abi_counting counting; do
    results[$prog]+="$("$b/$prog" runs=3 | pick) "
  done
done
for prog in abi_pingpong pingpong abi_counting counting; do
  printf '%-14s median %6.1f ns/msg  (runs: %s)\n' "$prog" \
    "$(tr ' ' '\n' <<<"${results[$prog]}" | sed '/^$/d' | median)" "${results[$prog]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
pp_abi=$(tr ' ' '\n' <<<"${results[abi_pingpong]}" | sed '/^$/d' | median)
pp=$(tr ' ' '\n' <<<"${results[pingpong]}" | sed '/^$/d' | median)
c_abi=$(tr ' ' '\n' <<<"${results[abi_counting]}" | sed '/^$/d' | median)
c=$(tr ' ' '\n' <<<"${results[counting]}" | sed '/^$/d' | median)
echo "plugin / hand-written ABI: pingpong $(ratio "$pp" "$pp_abi"), counting $(ratio "$c" "$c_abi")"
"$b/abi_actor_size"
