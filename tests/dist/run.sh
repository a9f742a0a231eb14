#!/usr/bin/env bash
# Multi-process tests of issue 13 (distribution you can trust), on
# 127.0.0.1 with real CURVE keys.
#   run.sh CASE DIST_BINARY ALOX_TOOL FREE_PORT WORK_DIR
# Every process is bounded in time (`timeout`, or killed at exit); a case
# prints what it checked and exits non-zero on the first failure, showing
# the processes' logs.
set -uo pipefail
case_name=$1 dist=$2 alox=$3 free_port=$4 work=$5
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export ALOX_PEER_TIMEOUT_MS=${ALOX_PEER_TIMEOUT_MS:-1000}
export ALOX_THREADS=${ALOX_THREADS:-2}
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done; }
trap cleanup EXIT

fail() {
  echo "FAIL ($case_name): $*"
  for f in *.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done
  exit 1
}
expect_log() { grep -q -- "$2" "$1" || fail "$1 lacks: $2"; }
refuse_log() { grep -q -- "$2" "$1" && fail "$1 has: $2"; return 0; }

keys() { for n in "$@"; do "$alox" keygen keys "$n" >/dev/null || fail "keygen $n"; done; }
trust() { for n in "$@"; do echo "$n $(cat "keys/$n.pub")"; done > trust.txt; }
declare -A port
new_port() { port[$1]=$("$free_port") || fail "no free port"; }
flags() { # flags NAME [PEER...]: a node that listens and lists PEERs
  local name=$1; shift
  echo --alox-node "$name" --alox-key "keys/$name.key" --alox-trust trust.txt
  [ -n "${port[$name]:-}" ] && echo --alox-listen "tcp://127.0.0.1:${port[$name]}"
  for p in "$@"; do echo --alox-peer "$p=tcp://127.0.0.1:${port[$p]}"; done
}

# start NAME ROLE [ARGS...] (peers in $peers): a server in the background,
# waited for until it prints "NAME: ready". Not under `timeout`: signals
# must reach the node itself; cleanup kills it at exit.
start() {
  local name=$1; shift
  # shellcheck disable=SC2046
  "$dist" $(flags "$name" ${peers:-}) "$@" >>"$name.log" 2>&1 &
  eval "pid_$name=$!"
  pids+=("$!")
  for _ in $(seq 400); do grep -q "^$name: ready" "$name.log" 2>/dev/null && return 0; sleep 0.05; done
  fail "$name did not start"
}
# stop NAME: SIGTERM, then its exit code must be 0.
stop() {
  local pid_var=pid_$1
  kill -TERM "${!pid_var}"
  wait "${!pid_var}"; local rc=$?
  [ $rc -eq 0 ] || fail "$1 exited $rc after SIGTERM"
}
# run NAME LOG ROLE [ARGS...] (peers in $peers): a client, bounded in time.
run() {
  local name=$1 log=$2; shift 2
  # shellcheck disable=SC2046
  timeout 120 "$dist" $(flags "$name" ${peers:-}) "$@" >"$log" 2>&1
}

case "$case_name" in
add_peer)
  keys server client
  trust server client
  new_port server
  peers="" start server serve server
  peers="" run client client.log add_peer "tcp://127.0.0.1:${port[server]}" || fail "client"
  expect_log client.log "ok: add_peer"
  expect_log client.log "refused peer stranger at .*not in the trust file"
  expect_log client.log "refused peer server at server:1"
  stop server
  expect_log server.log "pongs 100"
  ;;
*) fail "unknown case" ;;
esac
echo "ok: $case_name"
