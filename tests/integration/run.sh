#!/usr/bin/env bash
# Multi-process tests of distribution, on 127.0.0.1 with real CURVE keys.
#   run.sh CASE NODES_BINARY ALOX_TOOL FREE_PORT WORK_DIR
# Every process is bounded in time; a case prints what it checked and
# exits non-zero on the first failure, showing the processes' logs.
set -uo pipefail
case_name=$1 nodes=$2 alox=$3 free_port=$4 work=$5 mismatch=${6:-}
rounds=${ALOX_TEST_ROUNDS:-100000}   # smaller under sanitizers (CMakeLists.txt)
# shellcheck source=../support/harness.sh
. "$(dirname "$0")/../support/harness.sh"
harness_init "$work" 1000

port=$("$free_port") || fail "no free port"
keys server client
trust server client

server_flags=(--alox-node server --alox-listen "tcp://127.0.0.1:$port" --alox-key keys/server.key --alox-trust trust.txt)
client_flags=(--alox-node client --alox-peer "server=tcp://127.0.0.1:$port" --alox-key keys/client.key --alox-trust trust.txt)

start_server() {
  start_node server 100 "$nodes" "${server_flags[@]}" server
  server_pid=$node_pid
}

client() { # client LOG ARGS...: runs a client role, bounded in time
  local log=$1; shift
  timeout 120 "$nodes" "${client_flags[@]}" "$@" >"$log" 2>&1
}

stop_server() {
  client quit.log quit || fail "quit"
  wait "$server_pid"; local rc=$?
  [ $rc -eq 0 ] || fail "server exited $rc"
}

case "$case_name" in
pingpong)
  start_server
  client client.log pingpong "$rounds" || fail "client"
  expect_log client.log "ok: pingpong: $rounds of $rounds"
  stop_server
  expect_log server.log "pongs $rounds,"
  ;;
spawn)
  start_server
  client client.log spawn 200 || fail "client"
  expect_log client.log "ok: spawn: 400 results"
  stop_server
  ;;
lookup)
  start_server
  client client.log lookup || fail "client"
  expect_log client.log "ok: lookup"
  expect_log client.log "has another type"
  stop_server
  ;;
order)
  start_server
  per=$((rounds / 5))
  client client.log order 16 "$per" || fail "client"
  expect_log client.log "ok: order: $((16 * per)) items received, 0 out of order"
  stop_server
  ;;
stage)
  start_server
  client client.log stage || fail "client"
  expect_log client.log "ok: stage"
  stop_server
  ;;
untrusted)
  keys stranger
  start_server
  # The stranger trusts the server, but the server does not know its key.
  { trust_line server; trust_line stranger; } > stranger-trust.txt
  timeout 60 "$nodes" --alox-node stranger --alox-peer "server=tcp://127.0.0.1:$port" \
    --alox-key keys/stranger.key --alox-trust stranger-trust.txt stream 1000 >stranger.log 2>&1 &
  spid=$!; pids+=("$spid")
  wait "$spid"
  expect_log server.log "rejected a connection from 127.0.0.1"
  expect_log server.log "not in the trust file"
  stop_server
  expect_log server.log "counter 0"
  ;;
kill9)
  start_server
  timeout 120 "$nodes" "${client_flags[@]}" stream $((rounds * 30)) >client.log 2>&1 &
  cpid=$!; pids+=("$cpid")
  # Killed when a tenth of the stream has been echoed: mid-stream, at any speed.
  for _ in $(seq 2000); do grep -q "^echoed" client.log && break; sleep 0.01; done
  grep -q "^echoed" client.log || fail "no progress from the stream"
  kill -9 "$server_pid"
  wait "$cpid"; rc=$?
  [ $rc -eq 0 ] || fail "client exited $rc"
  expect_log client.log "peer server lost"
  expect_log client.log "ok: stream: accounted"
  grep -q "dead letters (peer lost) 0$" client.log && fail "nothing was reported lost"
  # A restarted server is a new incarnation: a new client works with it.
  start_server
  client client2.log pingpong 1000 || fail "client after restart"
  stop_server
  ;;
restart)
  start_server
  mkfifo go
  timeout 120 "$nodes" "${client_flags[@]}" restart <go >client.log 2>&1 &
  cpid=$!; pids+=("$cpid")
  exec 3>go
  for _ in $(seq 200); do grep -q "waiting for the restart" client.log && break; sleep 0.05; done
  kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null
  start_server
  echo go >&3; exec 3>&-
  wait "$cpid" || fail "client exited $?"
  expect_log client.log "ok: restart: 2 pongs, 1 lost, new reference differs"
  stop_server
  ;;
mismatch)
  start_server
  timeout 60 "$mismatch" "${client_flags[@]}" >client.log 2>&1 || fail "mismatch client"
  stop_server
  expect_log server.log "dead letter: counter.count to actor"
  expect_log server.log "signature mismatch"
  expect_log server.log "counter 0"
  ;;
badconfig)
  "$nodes" --alox-node client --alox-key keys/missing.key --alox-trust trust.txt server >missing.log 2>&1
  [ $? -eq 2 ] || fail "missing key: want exit 2"
  expect_log missing.log "keys/missing.key"
  start_server
  # Another node (a second process as "server" is refused before it binds).
  "$nodes" --alox-node client --alox-listen "tcp://127.0.0.1:$port" --alox-key keys/client.key \
    --alox-trust trust.txt server >busy.log 2>&1
  [ $? -eq 2 ] || fail "busy port: want exit 2"
  expect_log busy.log "--alox-listen"
  stop_server
  ;;
*) fail "unknown case" ;;
esac
echo "ok: $case_name"
