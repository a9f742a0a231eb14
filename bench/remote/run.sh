#!/usr/bin/env bash
# Remote benchmarks: Alox between two processes (two schedulers, CURVE on)
# beside raw libzmq plain and CURVE, on 127.0.0.1, in the same run.
#
#   bench/remote/run.sh BUILD_DIR [RUNS]        (RUNS default 5)
#
# BUILD_DIR must have the targets bench_remote and alox_cli built:
#   cmake --build BUILD_DIR --target bench_remote alox_cli
# This script builds nothing. It makes keys with BUILD_DIR/tools/alox
# keygen, picks a free port for every measurement, runs the six
# measurements RUNS times each, interleaved (the order rotates every round),
# and prints medians. Environment:
#   LATENCY_ROUNDS       round trips per latency measurement (default 5000)
#   THROUGHPUT_MESSAGES  messages per throughput measurement (default 1000000)
#   ALOX_THREADS         worker threads of each Alox process (default: one per CPU)
#   KEEP=1               keep the scratch directory (logs) and print its path
set -euo pipefail
export LC_ALL=C

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BUILD_DIR [RUNS]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
runs=${2:-5}
rounds=${LATENCY_ROUNDS:-5000}
messages=${THROUGHPUT_MESSAGES:-1000000}
raw=$build/bench/remote/zmq_raw
free_port=$build/free_port
node=$build/bench/remote/alox_remote
alox=$build/tools/alox
for f in "$raw" "$node" "$alox"; do
  if [ ! -x "$f" ]; then
    echo "$0: $f is missing: cmake --build $build --target bench_remote alox_cli" >&2
    exit 2
  fi
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "$0: RUNS must be a positive number" >&2; exit 2; }

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"

"$alox" keygen keys server >/dev/null
"$alox" keygen keys client >/dev/null
{ echo "server $(cat keys/server.pub)"; echo "client $(cat keys/client.pub)"; } > trust.txt

fail() { # fail WHAT LOG...
  echo "$0: FAILED: $1" >&2
  shift
  for log in "$@"; do [ -f "$log" ] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }; done
  exit 1
}

result_of() { sed -n 's/^result \([0-9.]*\) .*/\1/p' "$1" | tail -n 1; }
# usage_of LOG...: CPU seconds and context switches, summed over the logs' usage lines
usage_of() { cat "$@" | awk '/^usage / {cpu += $2; sw += $3; n++} END {if (n) printf "%.4f %d", cpu, sw}'; }

# raw_one latency|throughput plain|curve: prints "RESULT CPU_SECONDS SWITCHES".
raw_one() {
  local shape=$1 mode=$2 count=$rounds attempt port log=raw-$1-$2.log
  [ "$shape" = throughput ] && count=$messages
  for attempt in 1 2 3; do
    port=$("$free_port")
    if timeout 300 "$raw" "$shape" "$mode" "$count" "tcp://127.0.0.1:$port" >"$log" 2>&1; then
      echo "$(result_of "$log") $(usage_of "$log")"
      return 0
    fi
    grep -q "Address already in use" "$log" || break # retry only a port taken meanwhile
  done
  fail "zmq_raw $shape $mode $count" "$log"
}

# stop_server LOG: SIGTERM, a clean end of the serving node's alox_run
# (exit status 0). A SIGTERM that arrives just as the node starts has been
# seen to go unnoticed (rarely, a runtime issue): then warn and send another.
stop_server() {
  local i
  for i in 1 2; do
    kill -TERM "$server_pid"
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$server_pid" 2>/dev/null || break
    echo "$0: warning: alox_remote serve (pid $server_pid) still runs 5 s after SIGTERM $i" >&2
  done
  kill -0 "$server_pid" 2>/dev/null && fail "alox_remote serve did not end on SIGTERM" "$1"
  wait "$server_pid" || fail "alox_remote serve exited $?" "$1"
}

# alox_one latency|throughput: starts a serving node, runs the client role
# against it, checks that both ended well, prints "RESULT CPU_SECONDS SWITCHES"
# (CPU and switches of both processes over their whole lives).
alox_one() {
  local shape=$1 count=$rounds attempt port slog=alox-server.log clog=alox-$1.log rc
  [ "$shape" = throughput ] && count=$messages
  for attempt in 1 2 3; do
    port=$("$free_port")
    "$node" --alox-node server --alox-listen "tcp://127.0.0.1:$port" --alox-key keys/server.key \
      --alox-trust trust.txt serve >"$slog" 2>&1 &
    server_pid=$!
    for _ in $(seq 600); do # up to 30 s: the machine may be very busy
      grep -q "serve: ready" "$slog" && break
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.05
    done
    grep -q "serve: ready" "$slog" && break
    kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true
    server_pid=
    grep -q "cannot listen" "$slog" || fail "alox_remote serve did not start" "$slog"
  done
  [ -n "$server_pid" ] || fail "alox_remote serve: no free port" "$slog"
  rc=0
  timeout 300 "$node" --alox-node client --alox-peer "server=tcp://127.0.0.1:$port" \
    --alox-key keys/client.key --alox-trust trust.txt "$shape" "$count" >"$clog" 2>&1 || rc=$?
  [ $rc -eq 0 ] || fail "alox_remote $shape $count (exit $rc)" "$clog" "$slog"
  stop_server "$slog"
  server_pid=
  echo "$(result_of "$clog") $(usage_of "$clog" "$slog")"
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
min_max() { sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s..%s", lo, hi}'; }

names=(alox_lat raw_lat_plain raw_lat_curve alox_thr raw_thr_plain raw_thr_curve)
declare -A label=(
  [alox_lat]="Alox ping-pong, CURVE (int64 + actor ref)"
  [raw_lat_plain]="raw zmq REQ/REP, plain (8 B)"
  [raw_lat_curve]="raw zmq REQ/REP, CURVE (8 B)"
  [alox_thr]="Alox one-way sends, CURVE (one int64 each)"
  [raw_thr_plain]="raw zmq PUSH/PULL, plain (64 B)"
  [raw_thr_curve]="raw zmq PUSH/PULL, CURVE (64 B)"
)
declare -A values cpus switches
run_one() {
  case $1 in
  alox_lat) alox_one latency ;;
  raw_lat_plain) raw_one latency plain ;;
  raw_lat_curve) raw_one latency curve ;;
  alox_thr) alox_one throughput ;;
  raw_thr_plain) raw_one throughput plain ;;
  raw_thr_curve) raw_one throughput curve ;;
  esac
}

load_before=$(uptime)
echo "remote benchmarks: $runs runs of each, $rounds round trips, $messages messages;" \
  "ALOX_THREADS=${ALOX_THREADS:-default}; $(nproc) CPUs" >&2
echo "load before: $load_before" >&2
lat_ratios= thr_ratios=
for ((r = 0; r < runs; r++)); do
  declare -A this=()
  line="run $((r + 1))/$runs:"
  for ((k = 0; k < ${#names[@]}; k++)); do
    name=${names[(k + r) % ${#names[@]}]} # rotate the order every round
    run_one "$name" >value.txt # not in a subshell: a failure stops the script and the server
    read -r v cpu sw <value.txt || true
    [ -n "$v" ] && [ -n "$sw" ] || fail "$name printed no result or usage"
    this[$name]=$v
    values[$name]+="$v "
    count=$rounds
    [[ $name == *thr* ]] && count=$messages
    # per operation: µs of CPU per round trip, ns of CPU per message
    cpus[$name]+="$(awk -v c="$cpu" -v n="$count" -v t="$name" 'BEGIN {print c * (t ~ /thr/ ? 1e9 : 1e6) / n}') "
    switches[$name]+="$(awk -v s="$sw" -v n="$count" 'BEGIN {print s / n}') "
    line+=" $name=$v"
  done
  echo "$line" >&2
  lat_ratios+="$(awk -v a="${this[alox_lat]}" -v b="${this[raw_lat_curve]}" 'BEGIN {print a / b}') "
  thr_ratios+="$(awk -v a="${this[alox_thr]}" -v b="${this[raw_thr_curve]}" 'BEGIN {print a / b}') "
done
load_after=$(uptime)

med() { tr ' ' '\n' <<<"${values[$1]}" | sed '/^$/d' | median; }
spread() { tr ' ' '\n' <<<"${values[$1]}" | sed '/^$/d' | min_max; }
med_of() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | median; }
ratio_median() { med_of "$1"; }

echo
echo "Remote benchmarks on 127.0.0.1, medians of $runs interleaved runs (min..max)"
echo "load before: ${load_before#*load average: }; after: ${load_after#*load average: }; $(nproc) CPUs"
echo "CPU and context switches: both processes, whole run (setup and warm-up included), per operation"
echo
echo "| latency ($rounds round trips) | µs per round trip | min..max | CPU µs per round trip | context switches per round trip |"
echo "|---|---|---|---|---|"
for n in alox_lat raw_lat_plain raw_lat_curve; do
  printf '| %s | %.1f | %s | %.0f | %.1f |\n' "${label[$n]}" "$(med $n)" "$(spread $n)" \
    "$(med_of "${cpus[$n]}")" "$(med_of "${switches[$n]}")"
done
echo
echo "| throughput ($messages messages) | M msg/s | min..max | CPU ns per message | context switches per message |"
echo "|---|---|---|---|---|"
for n in alox_thr raw_thr_plain raw_thr_curve; do
  printf '| %s | %.3f | %s | %.0f | %.4f |\n' "${label[$n]}" "$(med $n)" "$(spread $n)" \
    "$(med_of "${cpus[$n]}")" "$(med_of "${switches[$n]}")"
done
echo
awk -v a="$(med alox_lat)" -v p="$(med raw_lat_plain)" -v c="$(med raw_lat_curve)" \
  -v pr="$(ratio_median "$lat_ratios")" 'BEGIN {
  printf "latency:    Alox / raw CURVE = %.2fx (median of per-run ratios %.2fx), Alox / raw plain = %.2fx\n",
         a / c, pr, a / p }'
awk -v a="$(med alox_thr)" -v p="$(med raw_thr_plain)" -v c="$(med raw_thr_curve)" \
  -v pr="$(ratio_median "$thr_ratios")" 'BEGIN {
  printf "throughput: Alox / raw CURVE = %.0f%% (median of per-run ratios %.0f%%; goal >= 70%%): %s; Alox / raw plain = %.0f%%\n",
         100 * a / c, 100 * pr, (a / c >= 0.7 ? "met" : "NOT met"), 100 * a / p }'
