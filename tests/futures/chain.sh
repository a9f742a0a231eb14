#!/usr/bin/env bash
# Futures across three schedulers on 127.0.0.1 with real CURVE keys:
#   chain.sh CASE CHAIN_BINARY ALOX_TOOL FREE_PORT WORK_DIR
#   chain   a asks b, b asks c (tests/futures/chain.c), N requests
#   down    a asks c behind a stall; c is killed: every request hears
#           ALOX_TARGET_DOWN once the peer is declared lost
# Every process is bounded in time; a failure shows the logs.
set -uo pipefail
case_name=$1 chain=$2 alox=$3 free_port=$4 work=$5
n=${FUTURES_CHAIN_REQUESTS:-20000}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export ALOX_PEER_TIMEOUT_MS=${ALOX_PEER_TIMEOUT_MS:-1000}
export ALOX_THREADS=${ALOX_THREADS:-2}
export ALOX_TOP=0
pids=()
# A node runs under `timeout` (bounded in time); killing it means killing
# the node itself, timeout's child, too.
kill_node() { local kids; kids=$(pgrep -P "$1" 2>/dev/null); kill -9 $kids "$1" 2>/dev/null; }
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill_node "$p"; done; }
trap cleanup EXIT

fail() {
  echo "FAIL ($case_name): $*"
  for f in *.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done
  exit 1
}

for node in a b c; do "$alox" keygen keys "$node" >/dev/null || fail "keygen $node"; done
for node in a b c; do echo "$node $(cat keys/$node.pub)"; done > trust.txt
port_b=$("$free_port") || fail "no free port"
for _ in $(seq 20); do port_c=$("$free_port") || fail "no free port"; [ "$port_c" != "$port_b" ] && break; done
[ "$port_c" != "$port_b" ] || fail "no second free port"
flags() { echo "--alox-node $1 --alox-key keys/$1.key --alox-trust trust.txt"; }

start() { # start NODE ARGS...: a serving node, until it prints "NODE: ready"
  local node=$1; shift
  # shellcheck disable=SC2046
  timeout -s KILL 120 "$chain" $(flags "$node") "$@" "$node" >"$node.log" 2>&1 &
  pids+=($!)
  eval "pid_$node=$!"
  for _ in $(seq 600); do grep -q "$node: ready" "$node.log" 2>/dev/null && return 0; sleep 0.05; done
  fail "$node did not start"
}

expect_log() { grep -q -- "$2" "$1" || fail "$1 lacks: $2"; }

case "$case_name" in
chain)
  start c --alox-listen "tcp://127.0.0.1:$port_c"
  start b --alox-listen "tcp://127.0.0.1:$port_b" --alox-peer "c=tcp://127.0.0.1:$port_c"
  # shellcheck disable=SC2046
  timeout 120 "$chain" $(flags a) --alox-peer "b=tcp://127.0.0.1:$port_b" \
    --alox-peer "c=tcp://127.0.0.1:$port_c" a "$n" >a.log 2>&1 || fail "a exited $?"
  expect_log a.log "ok: chain: $n answers from b, $n finals from c through b, 0 pending"
  for _ in $(seq 200); do kill -0 "$pid_b" 2>/dev/null || kill -0 "$pid_c" 2>/dev/null || break; sleep 0.05; done
  wait "$pid_b" || fail "b exited $?"
  wait "$pid_c" || fail "c exited $?"
  expect_log b.log "b: down 0"
  expect_log c.log "c: served $((n + 1))"
  echo "ok: chain of $n requests across a, b, c"
  ;;
down)
  start c --alox-listen "tcp://127.0.0.1:$port_c"
  # shellcheck disable=SC2046
  timeout 120 "$chain" $(flags a) --alox-peer "c=tcp://127.0.0.1:$port_c" down 100 >a.log 2>&1 &
  pid_a=$!
  pids+=("$pid_a")
  for _ in $(seq 200); do grep -q "down: asked" a.log 2>/dev/null && break; sleep 0.05; done
  expect_log a.log "down: asked"
  sleep 0.3
  kill_node "$pid_c"
  wait "$pid_a" || fail "a exited $?"
  expect_log a.log "ok: down: 100 of 100 heard ALOX_TARGET_DOWN, 0 pending"
  echo "ok: a lost peer answers ALOX_TARGET_DOWN"
  ;;
*)
  fail "unknown case"
  ;;
esac
