#!/usr/bin/env bash
# Draws a window of an Alox trace (ALOX_TRACE's Chrome/Perfetto JSON) as a
# PNG with gnuplot: a row per thread, a box per behaviour run, an arrow per
# message from its send to the run of its behaviour. For docs/ (the README
# shows one); to explore a trace, open it in Perfetto's UI instead.
#
#   scripts/trace-plot.sh TRACE.json OUT.png [SLICES [FROM]]
#
# SLICES (default 8) consecutive behaviour runs are drawn, starting at the
# FROM-th run of the trace (default: the middle one). Needs jq and gnuplot
# (Debian: jq, gnuplot-nox).
set -euo pipefail
trace=${1:?usage: trace-plot.sh TRACE.json OUT.png [SLICES [FROM]]}
out=${2:?usage: trace-plot.sh TRACE.json OUT.png [SLICES [FROM]]}
slices=${3:-8}
for tool in jq gnuplot; do
  command -v $tool >/dev/null || { echo "trace-plot: $tool is not installed" >&2; exit 2; }
done

# One line per object to draw, from jq: "run TRACK X0 X1 NAME" (ns from
# the window's start), "flow TRACK0 X0 TRACK1 X1", "track TRACK NAME".
objects=$(jq -r --argjson n "$slices" --arg from "${4:-}" '
  def ns: . * 1000 | round;
  (.traceEvents | map(select(.ph == "X" and .cat == "alox")) | sort_by(.ts)) as $runs
  | ($runs | length) as $count
  | (if $from == "" then ($count / 2 | floor) else ($from | tonumber) end) as $start
  | $runs[$start:$start + $n] as $shown
  | ($shown | map(.tid) | unique) as $tids
  | ($shown[0].ts) as $t0
  | ($shown[-1].ts + $shown[-1].dur) as $t1
  | (.traceEvents | map(select(.ph == "M" and .name == "thread_name")) | map({key: (.tid | tostring), value: .args.name}) | from_entries) as $names
  | ($tids | to_entries | map("track \(.key) \($names[.value | tostring] // "thread")")[]),
    ($shown[] | .tid as $t | "run \($tids | index($t)) \((.ts - $t0) | ns) \((.ts + .dur - $t0) | ns) \(.name)"),
    ([.traceEvents[] | select(.ph == "s" or .ph == "f") | .tid as $t | select(.ts >= $t0 and .ts <= $t1 and ($tids | index($t)) != null)]
     | group_by(.id)[] | select(length == 2) | sort_by(.ph != "s")
     | .[0].tid as $a | .[1].tid as $b
     | "flow \($tids | index($a)) \((.[0].ts - $t0) | ns) \($tids | index($b)) \((.[1].ts - $t0) | ns)")
' "$trace")
[ -n "$objects" ] || { echo "trace-plot: no behaviour runs in $trace" >&2; exit 1; }

tracks=$(grep -c '^track ' <<<"$objects")
script=$(awk -v tracks="$tracks" '
  BEGIN { palette[0] = "#4e79a7"; palette[1] = "#f28e2b"; palette[2] = "#59a14f"; palette[3] = "#e15759"; colors = 0 }
  $1 == "track" { name = $3; for (i = 4; i <= NF; i++) name = name " " $i
                  ytics = ytics (ytics == "" ? "" : ", ") sprintf("\"%s\" %d", name, $2) }
  $1 == "run" { if (!($5 in color)) color[$5] = palette[colors++ % 4]
                y = $2; printf "set object rect from %d,%f to %d,%f fc rgb \"%s\" fs solid 0.85 noborder\n", $3, y - 0.28, $4, y + 0.28, color[$5]
                printf "set label \"%s\" at %f,%f center font \",9\" tc rgb \"white\" front\n", $5, ($3 + $4) / 2, y
                if ($4 > xmax) xmax = $4 }
  $1 == "flow" { printf "set arrow from %d,%f to %d,%f head filled size screen 0.012,20 lw 1.3 lc rgb \"#333333\" front\n", $3, $2 + 0.33, $5, $4 + 0.33 }
  END { printf "set ytics (%s)\nset xrange [0:%d]\nset yrange [-0.7:%f]\n", ytics, xmax * 1.02, tracks - 0.3 }' <<<"$objects")

gnuplot <<EOF
set terminal pngcairo size 1100,$((150 + 110 * tracks)) font ",10"
set output "$out"
set title noenhanced "An Alox ping-pong traced with ALOX_TRACE: behaviour runs (boxes) and messages (arrows, send -> run)"
set xlabel "nanoseconds"
set ytics nomirror
set xtics nomirror
set border 3
set grid xtics lc rgb "#dddddd"
unset key
$script
plot NaN notitle
EOF
echo "trace-plot: $out ($(grep -c '^run ' <<<"$objects") runs, $(grep -c '^flow ' <<<"$objects") arrows)"
