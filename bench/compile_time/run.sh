#!/usr/bin/env bash
# Compile-time overhead of the Alox GCC plugin on code without annotations
# (issue 4, item 7; goal < 2 %). Bash only. See README.md beside this file.
#
#   run.sh [-n RUNS] [--only sqlite|lua|empty] PLUGIN
#
# Workloads (each timed RUNS times with and without -fplugin=PLUGIN, default 7):
#   sqlite  gcc -O2 -c sqlite3.c         the ~250k-line amalgamation, one process
#   lua     make linux (Lua 5.4, -j1)     a whole build: 33 files, link, archive
#   empty   gcc -O2 -c empty.c            the fixed cost of loading the plugin
#                                          (RUNS x 10 compiles, default 70)
# Runs alternate ABBA (plain, plugin, plugin, plain, ...) so a drift in machine
# load hits both sides alike. For each side it prints the median wall time and
# the median CPU time (user+sys of gcc and its children) in ms, min..max, and
# the overhead of the plugin's median over the plain median, plus the median of
# the per-pair ratios (each plugin run against the plain run next to it).
#
# Sources come from Debian's archive through tests/transparency/run.sh
# --fetch-only (apt-get source, cached). Environment:
#   ALOX_BENCH_DIR   work directory (default: ./compile-time-work)
#   CC               compiler (default: gcc)
set -u
export LC_ALL=C

RUNS=7 ONLY="sqlite lua empty" PLUGIN=""
while [ $# -gt 0 ]; do
    case $1 in
    -n) RUNS=$2; shift ;;
    --only) ONLY=${2//,/ }; shift ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) PLUGIN=$1 ;;
    esac
    shift
done
[ -f "$PLUGIN" ] || { echo "usage: run.sh [-n RUNS] [--only sqlite,lua,empty] PLUGIN" >&2; exit 2; }
PLUGIN=$(cd "$(dirname "$PLUGIN")" && pwd)/$(basename "$PLUGIN")
CC=${CC:-gcc}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${ALOX_BENCH_DIR:-$PWD/compile-time-work}
mkdir -p "$DIR" && DIR=$(cd "$DIR" && pwd) || exit 2
TIMEFORMAT='%3R %3U %3S'

# ---- sources: Lua and the sqlite amalgamation
need=()
[[ " $ONLY " == *" sqlite "* ]] && need+=(sqlite)
[[ " $ONLY " == *" lua "* ]] && need+=(lua)
if [ ${#need[@]} -gt 0 ]; then
    ALOX_TRANSPARENCY_DIR=$DIR bash "$HERE/../../tests/transparency/run.sh" \
        --fetch-only --only "$(
            IFS=,
            echo "${need[*]}"
        )" "$PLUGIN" || exit 1
fi
if [[ " $ONLY " == *" sqlite "* ]] && [ ! -s "$DIR/sqlite3.c" ]; then
    echo "generating sqlite3.c (configure; make sqlite3.c)"
    rm -rf "$DIR/sqlite-gen" && cp -a "$DIR/src/sqlite" "$DIR/sqlite-gen" &&
        (cd "$DIR/sqlite-gen" && ./configure --disable-tcl && make sqlite3.c) >"$DIR/sqlite-gen.log" 2>&1 &&
        cp "$DIR/sqlite-gen/sqlite3.c" "$DIR/sqlite-gen/sqlite3.h" "$DIR/" ||
        { tail -20 "$DIR/sqlite-gen.log"; exit 1; }
    rm -rf "$DIR/sqlite-gen"
fi
echo 'int alox_bench_empty;' >"$DIR/empty.c"
if [[ " $ONLY " == *" lua "* ]]; then rm -rf "$DIR/lua" && cp -a "$DIR/src/lua" "$DIR/lua" || exit 1; fi

# ---- one timed run: prints "wall_ms cpu_ms"
run_sqlite() { "$CC" -O2 $1 -c "$DIR/sqlite3.c" -o "$DIR/sqlite3.o"; }
run_lua() {
    make -C "$DIR/lua" clean >/dev/null 2>&1
    make -C "$DIR/lua" linux MYCFLAGS="$1" >/dev/null 2>&1
}
run_empty() {
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do "$CC" -O2 $1 -c "$DIR/empty.c" -o "$DIR/empty.o" || return 1; done
}
timed() { # WORKLOAD FLAGS
    local t
    t=$( { time "run_$1" "$2" >/dev/null 2>"$DIR/err.log"; } 2>&1) || { cat "$DIR/err.log" >&2; return 1; }
    set -- $t
    echo "$(awk -v r="$1" -v u="$2" -v s="$3" 'BEGIN { printf "%d %d", r * 1000, (u + s) * 1000 }')"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f%%", (b - a) * 100 / a }'; }

printf '%s, %s runs per side, ABBA order, plugin %s\n' "$($CC --version | head -1)" "$RUNS" "$PLUGIN"
printf '(wall and cpu = user+sys, in ms: median [min..max])\n'
for w in $ONLY; do
    : >"$DIR/$w.plain" && : >"$DIR/$w.plugin"
    # one warm-up of each side (page cache, the plugin's .so)
    timed "$w" "" >/dev/null && timed "$w" "-fplugin=$PLUGIN" >/dev/null || exit 1
    for ((i = 0; i < RUNS; i++)); do
        if [ $((i % 2)) -eq 0 ]; then order="plain plugin"; else order="plugin plain"; fi
        for side in $order; do
            flags=""
            [ $side = plugin ] && flags="-fplugin=$PLUGIN"
            timed "$w" "$flags" >>"$DIR/$w.$side" || exit 1
        done
    done
    for k in 1 2; do
        kind=wall
        [ $k -eq 2 ] && kind=cpu
        a=$(cut -d' ' -f$k "$DIR/$w.plain" | median)
        b=$(cut -d' ' -f$k "$DIR/$w.plugin" | median)
        ratio=$(paste -d' ' <(cut -d' ' -f$k "$DIR/$w.plain") <(cut -d' ' -f$k "$DIR/$w.plugin") |
            awk '{ printf "%d\n", ($2 - $1) * 100000 / $1 }' | median)
        printf '%-8s %-4s plain %7d [%s]  plugin %7d [%s]  overhead %s (median of pairs %+.2f%%)\n' \
            "$([ $w = empty ] && echo "empty*10" || echo $w)" "$kind" "$a" "$(cut -d' ' -f$k "$DIR/$w.plain" | range)" \
            "$b" "$(cut -d' ' -f$k "$DIR/$w.plugin" | range)" "$(pct "$a" "$b")" \
            "$(awk -v r="$ratio" 'BEGIN { print r / 1000 }')"
    done
done
