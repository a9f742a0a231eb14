#!/usr/bin/env bash
# Cluster membership on etcd: time to join and time to detect a loss.
#   bench/cluster/run.sh [--nodes N] [--runs R] [--lease S] [--build DIR]
# Each run starts a private etcd on 127.0.0.1 (free ports, temporary
# directory) and N nodes of tests/cluster/member.c that know only
# --alox-cluster, then measures, from the nodes' own timestamped lines:
#   join (cold)   from launching all N nodes at once to the last node
#                 having every other as a member ("joined") and having
#                 reached every other (a spawn and a ping answered)
#   join (warm)   one more node into the running cluster: until every old
#                 node lists it, and until it has reached every old node
#   loss          kill -9 of that node: until every other's membership
#                 drops it ("left": lease expiry, etcd's delete, the watch)
#                 and until their peer-lost fires (heartbeats,
#                 ALOX_PEER_TIMEOUT_MS, default 3000)
# and prints the median (min-max) of R runs (default 5). Defaults: N = 5,
# lease 2 s (ALOX_CLUSTER_LEASE_S), build dir build/bench-cluster.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
nodes=5 runs=5 lease=2 build="$root/build/bench-cluster"
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --lease) lease=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: $0 [--nodes N] [--runs R] [--lease S] [--build DIR]" >&2; exit 2 ;;
  esac
done
command -v etcd >/dev/null || { echo "no etcd: scripts/setup.sh installs etcd-server" >&2; exit 1; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DALOX_BUILD_CLANG=OFF >/dev/null
cmake --build "$build" -j2 --target cluster_member alox_cli free_port >/dev/null
member=$build/tests/cluster/cluster_member alox=$build/tools/alox free_port=$build/free_port
# shellcheck source=../../scripts/etcd-local.sh
. "$root/scripts/etcd-local.sh"
export ALOX_CLUSTER_LEASE_S=$lease ALOX_THREADS=1 ALOX_TOP=0
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
  [ -n "${ETCD_LOCAL_PID:-}" ] && kill -9 "$ETCD_LOCAL_PID" 2>/dev/null
  wait 2>/dev/null; rm -rf "$dir"
}
trap cleanup EXIT
now() { date +%s%3N; }
# first_time LOG WORD [NODE]: the time field of the first matching line
first_time() { awk -v w="$2" -v n="${3:-}" '$1 == w && (n == "" || $2 == n) { print $NF; exit }' "$1"; }
last_time() { awk -v w="$2" '$1 == w { t = $NF } END { print t }' "$1"; }
wait_lines() { # wait_lines SECONDS CMD...: until CMD succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || { echo "timed out: $*" >&2; exit 1; }; sleep 0.02; done
}
all_have() { local pat=$1; shift; for f in "$@"; do grep -q -- "$pat" "$f" 2>/dev/null || return 1; done; }
declare -a cold_joined cold_reached warm_listed warm_reached loss_left loss_peer

one_run() {
  local run=$1
  local w="$dir/run$run"
  mkdir -p "$w" && cd "$w"
  etcd_local_start "$w" "$("$free_port")" "$("$free_port")"
  local cluster="etcd://127.0.0.1:${ETCD_LOCAL_URL##*:}/bench" n
  names=()
  for i in $(seq "$nodes"); do names+=("n$i"); done
  for n in "${names[@]}" extra; do "$alox" keygen keys "$n" >/dev/null; "$alox" trust-line "keys/$n.pub" "$n" >> trust.txt; done
  start() { "$member" --alox-node "$1" --alox-listen "tcp://127.0.0.1:$("$free_port")" --alox-key "keys/$1.key" \
      --alox-trust trust.txt --alox-cluster "$cluster" "$1" "$2" > "$1.log" 2>&1 & pids+=("$!"); }
  local logs=() t0
  for n in "${names[@]}"; do logs+=("$n.log"); done
  t0=$(now)
  for n in "${names[@]}"; do start "$n" $((nodes - 1)); done
  wait_lines 60 all_have "ok: reached all" "${logs[@]}"
  local joined=0 reached=0 t
  for f in "${logs[@]}"; do
    t=$(last_time "$f" joined); [ $((t - t0)) -gt $joined ] && joined=$((t - t0))
    t=$(first_time "$f" ok:); [ $((t - t0)) -gt $reached ] && reached=$((t - t0))
  done
  cold_joined+=("$joined"); cold_reached+=("$reached")
  t0=$(now)
  start extra "$nodes"
  local extra_pid=${pids[-1]}
  wait_lines 60 all_have "^joined extra " "${logs[@]}"
  wait_lines 60 all_have "ok: reached all" extra.log
  local listed=0
  for f in "${logs[@]}"; do t=$(first_time "$f" joined extra); [ $((t - t0)) -gt $listed ] && listed=$((t - t0)); done
  warm_listed+=("$listed"); warm_reached+=($(( $(first_time extra.log ok:) - t0 )))
  sleep 0.5 # let every link to extra carry traffic
  t0=$(now)
  kill -9 "$extra_pid"; wait "$extra_pid" 2>/dev/null || true
  wait_lines 30 all_have "^left extra " "${logs[@]}"
  wait_lines 30 all_have "^peer-lost extra " "${logs[@]}"
  local left=0 lost=0
  for f in "${logs[@]}"; do
    t=$(first_time "$f" left extra); [ $((t - t0)) -gt $left ] && left=$((t - t0))
    t=$(first_time "$f" peer-lost extra); [ $((t - t0)) -gt $lost ] && lost=$((t - t0))
  done
  loss_left+=("$left"); loss_peer+=("$lost")
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
  etcd_local_stop
  ETCD_LOCAL_PID=
  cd "$dir"
}

stats() { # median (min-max) of the arguments
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%d ms (%d-%d)", m, v[1], v[NR] }'
}

for r in $(seq "$runs"); do one_run "$r"; echo "run $r: cold ${cold_reached[-1]} ms, warm ${warm_reached[-1]} ms, left ${loss_left[-1]} ms, peer-lost ${loss_peer[-1]} ms" >&2; done
echo "cluster membership on etcd $(etcd --version | awk 'NR == 1 { print $3 }'), $nodes nodes, lease ${lease} s, peer timeout ${ALOX_PEER_TIMEOUT_MS:-3000} ms, $runs runs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| what | median (min-max) |"
echo "| --- | --- |"
echo "| cold join: all $nodes started at once, every one lists every other | $(stats "${cold_joined[@]}") |"
echo "| cold join: ... and has reached every other (spawn + ping answered) | $(stats "${cold_reached[@]}") |"
echo "| warm join: a node more, listed by every member | $(stats "${warm_listed[@]}") |"
echo "| warm join: ... and it has reached every member | $(stats "${warm_reached[@]}") |"
echo "| loss (kill -9): gone from every member's membership | $(stats "${loss_left[@]}") |"
echo "| loss (kill -9): peer-lost at every member | $(stats "${loss_peer[@]}") |"
