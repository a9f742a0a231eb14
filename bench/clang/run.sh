#!/usr/bin/env bash
# Compile-time overhead of alox-clang against plain clang, and the send
# cost of a clang-built ping-pong against the gcc-built one.
#
#   run.sh ALOXCLANG CLANG GCC PLUGIN SRCDIR RUNTIME_SO WORKDIR [RUNS=9]
#
# Compile times: wall time of `CC -O2 -c FILE` per file, median of RUNS,
# summed over the files of a set:
#   unannotated  the runtime/*.c of this project that do not include alox.h
#                (a real C code base without Alox) and tests/plugin/transparency
#   annotated    tests/plugin/positive/*.c and demos/**/*.c (Alox programs)
# Send cost: bench/pingpong.c built by gcc + plugin and by alox-clang
# (-O2, same shared runtime), median ns per message of 7 runs, each binary
# run RUNS/3 times alternately, best median kept.
set -u
ALOXCLANG=$1 CLANG=$2 GCC=$3 PLUGIN=$4 SRC=$5 RUNTIME=$6 WORK=$7 RUNS=${8:-9}
INC=$SRC/include
mkdir -p "$WORK" || exit 1
export LC_ALL=C

now_ns() { date +%s%N; }

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# median wall ms of: CC FLAGS -c FILE
time_one() { # CC FILE FLAGS...
    local cc=$1 file=$2
    shift 2
    local i t0 t1
    for ((i = 0; i < RUNS; i++)); do
        t0=$(now_ns)
        "$cc" "$@" -O2 -c "$file" -o "$WORK/x.o" 2>/dev/null || { echo "FAIL $cc $file" >&2; exit 1; }
        t1=$(now_ns)
        echo $(((t1 - t0) / 1000))
    done | median
}

compile_set() { # LABEL FLAGS -- FILES...
    local label=$1 flags=$2
    shift 2
    local f plain alox total_plain=0 total_alox=0
    read -ra fl <<<"$flags"
    for f in "$@"; do
        plain=$(time_one "$CLANG" "$f" "${fl[@]}")
        alox=$(time_one "$ALOXCLANG" "$f" "${fl[@]}")
        printf "  %-28s clang %8.1f ms   alox-clang %8.1f ms   %+6.1f ms\n" "$(basename "$f")" \
            "$(echo "$plain / 1000" | bc -l)" "$(echo "$alox / 1000" | bc -l)" \
            "$(echo "($alox - $plain) / 1000" | bc -l)"
        total_plain=$((total_plain + plain)) total_alox=$((total_alox + alox))
    done
    printf "  %-28s clang %8.1f ms   alox-clang %8.1f ms   %+6.1f%%\n" "TOTAL $label" \
        "$(echo "$total_plain / 1000" | bc -l)" "$(echo "$total_alox / 1000" | bc -l)" \
        "$(echo "100 * ($total_alox - $total_plain) / $total_plain" | bc -l)"
}

echo "== compile time, -O2 -c, median of $RUNS runs per file"
echo "unannotated (runtime/*.c without alox.h, tests/plugin/transparency):"
mapfile -t PLAIN < <(grep -L alox "$SRC"/runtime/*.c)
PLAIN+=("$SRC"/tests/plugin/transparency/hashtable.c "$SRC"/tests/plugin/transparency/numeric.c)
compile_set unannotated "-I$SRC/runtime -I$INC -D_GNU_SOURCE -pthread" "${PLAIN[@]}"
echo "annotated (tests/plugin/positive, bench/clang):"
# clang itself cannot compile alox.h (it #errors): the baseline is the same
# text with the annotations defined away, i.e. what clang alone would
# compile if it could: -D__ALOX__ and annotations as attributes.
ANNOTATED=("$SRC"/tests/plugin/positive/pingpong.c "$SRC"/tests/plugin/positive/sendable.c
    "$SRC"/tests/plugin/positive/shapes.c "$SRC"/tests/plugin/positive/threads.c
    "$SRC"/tests/plugin/positive/multi_main.c "$SRC"/bench/pingpong.c)
compile_set annotated "-I$INC -I$SRC/bench -D__ALOX__=1 -pthread" "${ANNOTATED[@]}"

echo "== send cost: ping-pong, ns per message (median of 7 runs per process)"
"$GCC" -O2 -fplugin="$PLUGIN" -I"$INC" -I"$SRC/bench" "$SRC/bench/pingpong.c" "$RUNTIME" \
    -Wl,-rpath,"$(dirname "$RUNTIME")" -pthread -o "$WORK/pingpong-gcc" || exit 1
"$ALOXCLANG" -O2 -I"$INC" -I"$SRC/bench" "$SRC/bench/pingpong.c" "$RUNTIME" \
    -Wl,-rpath,"$(dirname "$RUNTIME")" -pthread -o "$WORK/pingpong-clang" || exit 1
g=() c=()
for ((i = 0; i < (RUNS + 2) / 3; i++)); do
    g+=("$("$WORK/pingpong-gcc" runs=7 | grep -o '[0-9.]* ns/msg' | cut -d' ' -f1)")
    c+=("$("$WORK/pingpong-clang" runs=7 | grep -o '[0-9.]* ns/msg' | cut -d' ' -f1)")
done
gm=$(printf "%s\n" "${g[@]}" | median) cm=$(printf "%s\n" "${c[@]}" | median)
printf "  gcc + plugin   %6.1f ns/msg   (runs: %s)\n" "$gm" "${g[*]}"
printf "  alox-clang     %6.1f ns/msg   (runs: %s)\n" "$cm" "${c[*]}"
printf "  difference     %+6.1f%%\n" "$(echo "100 * ($cm - $gm) / $gm" | bc -l)"
