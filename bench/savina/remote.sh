#!/usr/bin/env bash
# The remote workloads of Alox and of the C limit, for run.sh: two
# processes on 127.0.0.1, through the programs of bench/remote (see
# bench/README.md, "Remote"). Prints the SAVINA result line.
#
#   remote.sh alox|baseline remote_pingpong|remote_counting BUILD_DIR N
#
# alox:     bench/remote/alox_remote: a serving node and a client node, with
#           their own CURVE keys and trust file (as always with Alox), the
#           client doing `latency N` (N round trips, an int64 and the
#           sender's reference each way) or `throughput N` (N one-way
#           messages of one int64, until the server has processed them).
# baseline: bench/remote/zmq_raw over plain TCP: REQ/REP round trips of 8
#           bytes, or PUSH/PULL of N 64-byte messages: the transport alone,
#           no actors and no encryption.
set -euo pipefail
system=$1 workload=$2 build=$(cd "$3" && pwd) n=$4
case "$workload" in
  remote_pingpong) shape=latency ;;
  remote_counting) shape=throughput ;;
  *) echo "remote.sh: unknown workload '$workload'" >&2; exit 2 ;;
esac
remote="$build/bench/remote"
free_port="$build/free_port"

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# savina_line RESULT_LINE: "result V us/rt" or "result V Mmsg/s" as a SAVINA line.
savina_line() {
  local threads=$1 value unit
  read -r _ value unit <<<"$2"
  case "$unit" in
    us/rt) awk -v v="$value" -v n="$n" -v w="$workload" -v s="$system" -v t="$threads" \
             'BEGIN {printf "SAVINA workload=%s system=%s threads=%s units=%d ns=%.0f check=ok\n", w, s, t, 2 * n, v * 1000 * n}' ;;
    Mmsg/s) awk -v v="$value" -v n="$n" -v w="$workload" -v s="$system" -v t="$threads" \
             'BEGIN {printf "SAVINA workload=%s system=%s threads=%s units=%d ns=%.0f check=ok\n", w, s, t, n, n / v * 1000}' ;;
    *) echo "remote.sh: no result in the output" >&2; exit 1 ;;
  esac
}

if [ "$system" = baseline ]; then
  out=$("$remote/zmq_raw" "$shape" plain "$n" "tcp://127.0.0.1:$("$free_port")")
  savina_line 1 "$(grep '^result ' <<<"$out" | tail -n1)"
  exit 0
fi
[ "$system" = alox ] || { echo "remote.sh: unknown system '$system'" >&2; exit 2; }

cd "$work"
"$build/tools/alox" keygen keys server >/dev/null
"$build/tools/alox" keygen keys client >/dev/null
{ echo "server $(cat keys/server.pub)"; echo "client $(cat keys/client.pub)"; } >trust.txt
for attempt in 1 2 3; do
  port=$("$free_port")
  "$remote/alox_remote" --alox-node server --alox-listen "tcp://127.0.0.1:$port" \
    --alox-key keys/server.key --alox-trust trust.txt serve >server.log 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do
    grep -q "serve: ready" server.log && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  grep -q "serve: ready" server.log && break
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true
  server_pid=
  grep -q "cannot listen" server.log || { cat server.log >&2; exit 1; }
  [ $attempt = 3 ] && { echo "remote.sh: no free port" >&2; exit 1; }
done
rc=0
out=$("$remote/alox_remote" --alox-node client --alox-peer "server=tcp://127.0.0.1:$port" \
        --alox-key keys/client.key --alox-trust trust.txt "$shape" "$n" 2>client.err) || rc=$?
for _ in 1 2; do # a second SIGTERM if the first is not taken within 5 s
  kill -TERM "$server_pid"
  for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$server_pid" 2>/dev/null || break
done
wait "$server_pid" || { echo "remote.sh: the serving node exited $?" >&2; cat server.log >&2; exit 1; }
server_pid=
if [ $rc != 0 ]; then
  echo "remote.sh: alox_remote $shape $n exited $rc" >&2
  cat client.err >&2
  exit 1
fi
threads=${ALOX_THREADS:-$(nproc)}
savina_line "$threads" "$(grep '^result ' <<<"$out" | tail -n1)"
