#!/usr/bin/env bash
# Before/after: the Alox Savina programs of two versions of Alox, run
# interleaved on this machine, with medians and the ratio per workload.
#
#   bench/savina/ab.sh [--runs N] [--only W[,W...]] [--quick] BEFORE AFTER
#
# BEFORE and AFTER are git revisions of this repository (main, HEAD~3, a
# commit) or source directories. Each is exported (git archive) and built
# in Release under build/ab/, then every workload runs N times (default 5)
# alternating the two builds, the order flipping every round so neither
# side always runs on a warmer machine. Prints, per workload, the median of
# each side in its unit and AFTER ÷ BEFORE (above 1: AFTER is slower), and
# with GNU time installed the median peak RSS of the same runs.
# Use it for "no slower than before" claims; the full comparison with the
# other systems is run.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../interleaved.sh
source "$here/../interleaved.sh"
runs=5 only="" quick=0 sides=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="${2:?--runs needs a number}"; shift ;;
    --only) only="${2:?--only needs a list}"; shift ;;
    --quick) quick=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "ab.sh: unknown flag '$1' (see --help)" >&2; exit 2 ;;
    *) sides+=("$1") ;;
  esac
  shift
done
[ ${#sides[@]} -eq 2 ] || { echo "ab.sh: give BEFORE and AFTER (see --help)" >&2; exit 2; }

workloads=(pingpong counting ring forkjoin big skynet)
[ -n "$only" ] && IFS=, read -r -a workloads <<<"$only"
if [ $quick = 1 ]; then
  declare -A args=([pingpong]="10000" [counting]="100000" [ring]="100000 100" [forkjoin]="10000"
                   [big]="100 100" [skynet]="10000")
else
  declare -A args=([pingpong]="1000000" [counting]="10000000" [ring]="10000000 100"
                   [forkjoin]="1000000" [big]="1000 1000" [skynet]="1000000")
fi

base="$root/build/ab"
mkdir -p "$base"
# prepare SIDE -> prints the directory holding its savina/alox programs
prepare() {
  local side=$1 src name
  if [ -d "$side" ]; then
    src=$(cd "$side" && pwd); name=dir-$(echo "$src" | md5sum | cut -c1-8)
  else
    local sha
    sha=$(git -C "$root" rev-parse --verify "$side^{commit}") ||
      { echo "ab.sh: '$side' is neither a directory nor a revision" >&2; exit 2; }
    name=rev-${sha:0:12}; src="$base/$name/src"
    if [ ! -f "$src/CMakeLists.txt" ]; then
      mkdir -p "$src" && git -C "$root" archive "$sha" | tar -x -C "$src"
    fi
  fi
  local build="$base/$name/build"
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DALOX_BUILD_TESTS=OFF \
        -DALOX_BUILD_CLANG=OFF >/dev/null
  local targets=()
  for w in "${workloads[@]}"; do targets+=("savina_alox_$w"); done
  cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >/dev/null
  echo "$build/bench/savina/alox"
}
dirs=()
for s in "${sides[@]}"; do
  echo "ab.sh: building ${s}" >&2
  dirs+=("$(prepare "$s")")
done

declare -A results rss
# Peak RSS of each run too, where GNU time is installed (its %M, in KiB).
timer="" rss_file="$base/rss.$$"
[ -x /usr/bin/time ] && /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null && timer=/usr/bin/time
for ((r = 1; r <= runs; r++)); do
  echo "round $r of $runs" >&2
  for w in "${workloads[@]}"; do
    for i in $(round_order "$r" 0 1); do
      # shellcheck disable=SC2086
      if [ -n "$timer" ]; then
        line=$("$timer" -f 'RSS_KB %M' -o "$rss_file" "${dirs[$i]}/$w" ${args[$w]} | grep '^SAVINA ')
        rss[$w,$i]+="$(grep -o '^RSS_KB [0-9]*' "$rss_file" | cut -d' ' -f2) "
      else
        line=$("${dirs[$i]}/$w" ${args[$w]} | grep '^SAVINA ')
      fi
      results[$w,$i]+="$(ns_per_unit "$line") "
    done
  done
done

echo
echo "ns per unit, medians of $runs interleaved runs: before = ${sides[0]}, after = ${sides[1]}"
printf '%-10s %12s %12s %8s   %s\n' workload before after ratio "runs (before | after)"
for w in "${workloads[@]}"; do
  a=$(median <<<"${results[$w,0]}"); b=$(median <<<"${results[$w,1]}")
  printf '%-10s %12s %12s %8s   %s| %s\n' "$w" "$a" "$b" "$(ratio "$a" "$b")" \
    "${results[$w,0]}" "${results[$w,1]}"
done
if [ -n "$timer" ]; then
  echo
  echo "peak RSS (MB), medians of the same runs"
  printf '%-10s %12s %12s %8s\n' workload before after ratio
  for w in "${workloads[@]}"; do
    a=$(median <<<"${rss[$w,0]}"); b=$(median <<<"${rss[$w,1]}")
    printf '%-10s %12.1f %12.1f %8s\n' "$w" "$(awk -v k="$a" 'BEGIN {print k / 1024}')" \
      "$(awk -v k="$b" 'BEGIN {print k / 1024}')" "$(ratio "$a" "$b")"
  done
  rm -f "$rss_file"
fi
