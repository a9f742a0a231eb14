#!/usr/bin/env bash
# Remote monitors (issue 14 item 3), on 127.0.0.1 with real CURVE keys:
#   monitors.sh MONITOR_NODES ALOX_TOOL FREE_PORT WORK_DIR
# One client monitors actors of a server: they stop (STOPPED, once each),
# are monitored after death, are demonitored; the server is killed with
# kill -9 (every monitor told NODE_LOST within 3x the peer timeout),
# restarted (its old actors are down), killed and restarted faster than
# the timeout (the new incarnation ends the old session). Then a watcher
# that dies without a word: the server frees what it kept for it.
set -uo pipefail
nodes=$1 alox=$2 free_port=$3 work=$4
targets=${ALOX_TEST_MONITOR_TARGETS:-100} lost=${ALOX_TEST_MONITOR_LOST:-1000}
case_name=monitors
# shellcheck source=../support/harness.sh
. "$(dirname "$0")/../support/harness.sh"
harness_init "$work" 1000
wait_log() { # wait_log FILE TEXT SECONDS
  wait_for "$1" "$2" $(($3 * 20)) || fail "$1: no '$2' within $3 s"
}
now_ms() { date +%s%3N; }

keys server client client2
trust server client client2
port=$("$free_port") || fail "no free port"
server_flags=(--alox-node server --alox-listen "tcp://127.0.0.1:$port" --alox-key keys/server.key --alox-trust trust.txt)
peer_flags() { echo "--alox-node $1 --alox-peer server=tcp://127.0.0.1:$port --alox-key keys/$1.key --alox-trust trust.txt"; }

start_server() { # not under `timeout`: kill -9 must hit the server itself
  : >server.log
  "$nodes" "${server_flags[@]}" server >>server.log 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_log server.log "server: ready" 30 # a bound: loaded machines start slowly
}
kill_server() { kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null; }

# Within 3x the peer timeout, from the kill to the last notice.
check_lost_in_time() { # check_lost_in_time KILLED_MS
  local last; last=$(sed -n 's/^last down at //p' client.log | tail -n 1)
  [ -n "$last" ] || fail "no time of the last notice"
  local took=$((last - $1)) bound=$((3 * ALOX_PEER_TIMEOUT_MS))
  echo "node lost: the last of $lost monitors told $took ms after kill -9 (bound $bound ms)"
  [ "$took" -le "$bound" ] || fail "told $took ms after the kill, over 3x the peer timeout"
}

start_server
mkfifo go
# shellcheck disable=SC2046
timeout 300 "$nodes" $(peer_flags client) client "$targets" "$lost" <go >client.log 2>&1 &
cpid=$!; pids+=("$cpid")
exec 3>go
wait_log client.log "^monitoring $lost" 120
killed=$(now_ms); kill_server
wait_log client.log "^last down at" 60
check_lost_in_time "$killed"
start_server
echo go >&3
wait_log client.log "waiting: a quick restart" 120
kill_server; start_server
echo go >&3; exec 3>&-
wait "$cpid"; rc=$?
for phase in stopped "after death" demonitor "remote demonitor" "stopped watcher" "node lost" "old incarnation" restarted "new incarnation"; do
  expect_log client.log "ok: $phase:"
done
[ $rc -eq 0 ] || fail "client exited $rc"
expect_log client.log "client: monitors left 0"

# shellcheck disable=SC2046
timeout 60 "$nodes" $(peer_flags client2) watch-and-die >die.log 2>&1 || fail "watch-and-die"
expect_log die.log "watching"
sleep $(( (3 * ALOX_PEER_TIMEOUT_MS + 999) / 1000 ))
# shellcheck disable=SC2046
timeout 60 "$nodes" $(peer_flags client) quit >quit.log 2>&1 || fail "quit"
wait "$server_pid"; rc=$?
[ $rc -eq 0 ] || fail "server exited $rc"
expect_log server.log "peer client2 lost"
expect_log server.log "server: done: monitors 0"
echo "ok: monitors"
