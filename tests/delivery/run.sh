#!/usr/bin/env bash
# Delivery tests (issue 13), on 127.0.0.1 with real CURVE keys.
#   run.sh CASE DELIVERY_BINARY ALOX_TOOL FREE_PORT WORK_DIR
# Every process is bounded in time; a case prints what it checked and
# exits non-zero on the first failure, showing the processes' logs.
set -uo pipefail
case_name=$1 delivery=$2 alox=$3 free_port=$4 work=$5 fake_peer=${6:-}
scale=${ALOX_TEST_SCALE:-4}   # 1 under the sanitizers (CMakeLists.txt)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../support/harness.sh
. "$here/../support/harness.sh"
harness_init "$work" 2000

port=$("$free_port") || fail "no free port"
keys server client sink
trust server client sink
server_flags=(--alox-node server --alox-listen "tcp://127.0.0.1:$port" --alox-key keys/server.key --alox-trust trust.txt)
client_flags() { # client_flags PORT: a client of the server at that port
  echo --alox-node client --alox-peer "server=tcp://127.0.0.1:$1" --alox-key keys/client.key --alox-trust trust.txt
}

start_server() { # $server_prefix: a command to run it under (prlimit ...)
  # shellcheck disable=SC2086
  start_node server 200 ${server_prefix:-} "$delivery" "${server_flags[@]}" server
  server_pid=$node_pid
}

client() { # client LOG ARGS...: a client role of the server, bounded in time
  local log=$1; shift
  timeout 120 "$delivery" $(client_flags "$port") "$@" >"$log" 2>&1
}

stop_server() {
  client quit.log quit || fail "quit"
  wait "$server_pid"; local rc=$?
  [ $rc -eq 0 ] || fail "server exited $rc"
}

case "$case_name" in
late)
  # 70,000+ sends from a listening node to a peer that has not connected
  # yet (no route): once more than a batch holds (65,536 items) this used
  # to abort the sender (exit 134).
  n=$((70000 + 20000 * scale))
  timeout 120 "$delivery" "${server_flags[@]}" early "$n" >server.log 2>&1 &
  spid=$!; pids+=("$spid")
  for _ in $(seq 600); do grep -q "^sent" server.log && break; sleep 0.05; done
  grep -q "^sent" server.log || fail "the sender did not send"
  sleep 0.5
  "$delivery" $(client_flags "$port") host >client.log 2>&1 &
  hpid=$!; pids+=("$hpid")
  wait "$spid"; rc=$?
  [ $rc -eq 0 ] || fail "the sender exited $rc"
  expect_log server.log "ok: early: $n of $n received, 0 out of order, 0 dead letters"
  kill -9 "$hpid"
  ;;
vanish)
  # The server streams to a client that is killed mid-stream: the server
  # must report the rest as dead letters and go on serving.
  start_server
  # Not under `timeout`: kill -9 must hit the client itself.
  "$delivery" $(client_flags "$port") vanish $((500000 * scale)) >vanish.log 2>&1 &
  cpid=$!; pids+=("$cpid")
  for _ in $(seq 1200); do grep -q "^receiving" vanish.log && break; sleep 0.05; done
  grep -q "^receiving" vanish.log || fail "the stream did not start"
  kill -9 "$cpid"
  for _ in $(seq 200); do grep -q "peer client lost" server.log && break; sleep 0.05; done
  expect_log server.log "peer client lost"
  kill -0 "$server_pid" 2>/dev/null || fail "the server died"
  client ping.log ping || fail "a new client after the loss"
  expect_log ping.log "ok: ping"
  stop_server
  ;;
loaded)
  # A flood to a third node (the sink) keeps the server's outbox above one
  # encoding turn (16,384 messages) all along: a client's job must still
  # be acknowledged with its reply, while the flood goes on. Two workers
  # flood and a third is free for the job, all on one CPU: the mailman
  # gets a quarter of the time, so the outbox grows faster than it is
  # encoded.
  ALOX_THREADS=4 start_server
  "$delivery" --alox-node sink --alox-peer "server=tcp://127.0.0.1:$port" --alox-key keys/sink.key \
    --alox-trust trust.txt sink $((500000 * scale)) >sink.log 2>&1 &
  sink_pid=$!; pids+=("$sink_pid")
  for _ in $(seq 1200); do grep -q "^receiving" sink.log && break; sleep 0.05; done
  grep -q "^receiving" sink.log || fail "the flood did not start"
  client client.log loaded || fail "client exited $?"
  expect_log client.log "ok: loaded: job done 1"
  # Before: the acknowledgement waited for an empty outbox, so never
  # before the whole flood had been sent.
  grep -q "flood complete" sink.log && fail "the job was acknowledged only once the flood had arrived"
  kill -9 "$sink_pid"
  stop_server
  ;;
gap)
  # The client reaches the server through a TCP relay that is killed and
  # restarted mid-stream: what was in flight is lost (a sequence gap), the
  # session survives it, and the missing items are sent again.
  relay_port=$("$free_port") || fail "no free port"
  start_server
  relay() { python3 "$here/relay.py" "$relay_port" "$port" >>relay.log 2>&1 & relay_pid=$!; pids+=("$relay_pid"); }
  relay
  sleep 0.3
  timeout 120 "$delivery" $(client_flags "$relay_port") gap $((100000 * scale)) >client.log 2>&1 &
  cpid=$!; pids+=("$cpid")
  for _ in $(seq 600); do grep -q "^streaming" client.log && break; sleep 0.02; done
  grep -q "^streaming" client.log || fail "the stream did not start"
  for _ in 1 2; do # twice: the second break falls in the resend of the first
    kill -9 "$relay_pid"; wait "$relay_pid" 2>/dev/null
    sleep 0.2
    relay
    sleep 0.3
  done
  wait "$cpid"; rc=$?
  [ $rc -eq 0 ] || fail "client exited $rc"
  expect_log client.log "ok: gap: $((100000 * scale)) of $((100000 * scale)) received, 0 out of order, 0 dead letters"
  grep -q "asking for them again" server.log && expect_log client.log "sending them again"
  grep -h "asking for them again\|sending them again" server.log client.log | head -4
  stop_server
  ;;
restart)
  # Three nodes; the client restarts under the same name 30 times. It
  # reaches the third node through a slow relay, so its requests through
  # the server can reach the third node before its own HELLO does: the
  # third node must replace the old session at once (the reference is
  # from a new incarnation), not answer into it.
  runs=${ALOX_RESTART_RUNS:-30}
  third_port=$("$free_port") || fail "no free port"
  relay_port=$("$free_port") || fail "no free port"
  keys third
  trust_line third >> trust.txt
  "$delivery" --alox-node third --alox-listen "tcp://127.0.0.1:$third_port" --alox-key keys/third.key \
    --alox-trust trust.txt third >third.log 2>&1 &
  third_pid=$!; pids+=("$third_pid")
  for _ in $(seq 200); do grep -q "third: ready" third.log && break; sleep 0.05; done
  "$delivery" "${server_flags[@]}" --alox-peer "third=tcp://127.0.0.1:$third_port" forwarding-server >>server.log 2>&1 &
  server_pid=$!; pids+=("$server_pid")
  for _ in $(seq 200); do grep -q "server: ready" server.log && break; sleep 0.05; done
  grep -q "server: ready" server.log || fail "server did not start"
  python3 "$here/relay.py" "$relay_port" "$third_port" 0.3 >relay.log 2>&1 &
  pids+=("$!")
  sleep 0.3
  for run in $(seq "$runs"); do
    timeout 30 "$delivery" $(client_flags "$port") --alox-peer "third=tcp://127.0.0.1:$relay_port" chain 20 \
      >"client$run.log" 2>&1 || fail "run $run: client exited $? ($(cat "client$run.log" | tail -1))"
    expect_log "client$run.log" "ok: chain: 20 of 20 answers, 0 dead letters"
  done
  echo "restart: $runs runs of the client, 0 losses"
  stop_server
  ;;
sessions)
  # A trusted peer starts thousands of sessions (a new token each time):
  # a session that made no proxies must cost the node nothing after it
  # ends (it used to keep ~42 bytes of epoch each).
  n=$((5000 * scale))
  start_server
  rss() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
  "$fake_peer" churn "tcp://127.0.0.1:$port" client keys/client.key keys/server.pub 2000 >warmup.log 2>&1 || fail "warm-up churn"
  before=$(rss)
  "$fake_peer" churn "tcp://127.0.0.1:$port" client keys/client.key keys/server.pub "$n" >churn.log 2>&1 || fail "churn"
  after=$(rss)
  echo "sessions: $n sessions, server RSS $before KiB -> $after KiB"
  if [ "${ALOX_TEST_SANITIZED:-0}" = 1 ]; then
    echo "sessions: RSS not checked under a sanitizer (its allocator keeps freed memory)"
  else
    [ $((after - before)) -lt 256 ] || fail "RSS grew by $((after - before)) KiB over $n sessions"
  fi
  client ping.log ping || fail "a real client after the churn"
  stop_server
  ;;
strangers)
  # 2,500 TCP connections that send one byte (a greeting begun) and never
  # finish the CURVE handshake, against a node limited to 1,024
  # descriptors: they must be closed within seconds (TRANSPORT_HANDSHAKE_MS),
  # a trusted client must still get in, and the descriptors come back.
  server_prefix="prlimit --nofile=1024:1024" start_server
  fds() { ls "/proc/$server_pid/fd" | wc -l; }
  before=$(fds)
  python3 "$here/strangers.py" "$port" 2500 12 >strangers.log 2>&1 &
  stranger_pid=$!; pids+=("$stranger_pid")
  for _ in $(seq 600); do grep -q "opened" strangers.log && break; sleep 0.05; done
  # Before: libzmq's default kept them for 30 s, and the client waited.
  timeout 15 "$delivery" $(client_flags "$port") ping >ping.log 2>&1 || fail "a trusted client could not get in within 15 s"
  wait "$stranger_pid"
  cat strangers.log
  sleep 0.5
  after=$(fds)
  echo "strangers: server descriptors $before before, $after after"
  [ "$after" -le $((before + 4)) ] || fail "descriptors: $before before, $after after"
  grep -q "closed 0 of" strangers.log && fail "no stranger was closed"
  stop_server
  ;;
crowd)
  # A sustained flood of strangers, more than the node's descriptors
  # (256), each sending one byte and holding, while a trusted client
  # connects. The handshake timeout alone (3 s) let them fill the table and
  # the client waited behind them; the cap on half-open connections
  # (net/half_open.c) closes the oldest strangers past it, so the client
  # gets in within a bound and the descriptors come back.
  server_prefix="prlimit --nofile=256:256" start_server
  fds() { ls "/proc/$server_pid/fd" | wc -l; }
  before=$(fds)
  python3 "$here/crowd.py" "$port" 600 8 >crowd.log 2>&1 &
  crowd_pid=$!; pids+=("$crowd_pid")
  for _ in $(seq 600); do grep -q "started" crowd.log && break; sleep 0.05; done
  sleep 1 # the table is full of strangers by now
  peak=$(fds)
  began=$(date +%s%N)
  timeout 5 "$delivery" $(client_flags "$port") ping >ping.log 2>&1 || fail "a trusted client could not get in within 5 s (server descriptors: $peak of 256)"
  took=$((($(date +%s%N) - began) / 1000000))
  expect_log ping.log "ok: ping"
  wait "$crowd_pid"
  cat crowd.log
  sleep 0.5
  after=$(fds)
  echo "crowd: the trusted client got in and had its reply in $took ms; server descriptors $before before, $peak in the flood, $after after"
  [ "$after" -le $((before + 4)) ] || fail "descriptors: $before before, $after after"
  expect_log server.log "had not finished the handshake"
  stop_server
  ;;
claims)
  # A trusted peer (fake_peer, through the real CURVE session) asks the
  # server to spawn actors under ids in a third node's space and in the
  # server's own (its spawn space, and the ids it gives its own actors):
  # each must come back SPAWN_REFUSED (a dead letter at the requester),
  # while an id of the peer's own space is made.
  start_server
  timeout 30 "$fake_peer" claims "tcp://127.0.0.1:$port" client keys/client.key keys/server.pub sink \
    >claims.log 2>&1 || fail "fake_peer claims exited $?"
  cat claims.log
  expect_log claims.log "3 of 3 foreign ids refused, as it must"
  expect_log server.log "not in that node's space"
  client ping.log ping || fail "a real client after the claims"
  stop_server
  ;;
proxies)
  # Sessions that each make many proxies: a client (restarted each time,
  # so each run ends the previous session at once) hands the server
  # references to its own new actors. The proxies of an ended session go
  # back after PROXY_TOMBSTONE_MS and a grace period (net/proxy.c): the
  # server's RSS stays bounded instead of growing by every session's.
  k=$((5000 * scale)) sessions=$((4 + 3 * scale))
  start_server
  rss() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
  for _ in 1 2; do client refs.log refs "$k" || fail "refs (warm-up)"; done
  sleep 3 # the warm-up's proxies go
  before=$(rss)
  for i in $(seq "$sessions"); do client refs.log refs "$k" || fail "refs $i"; done
  sleep 3
  client refs.log refs 1 || fail "refs, last" # ends the last big session
  sleep 3
  after=$(rss)
  echo "proxies: $sessions sessions of $k proxies each, server RSS $before KiB -> $after KiB"
  if [ "${ALOX_TEST_SANITIZED:-0}" = 1 ]; then
    echo "proxies: RSS not checked under a sanitizer (its allocator keeps freed memory)"
  else
    # Before, each session kept ~140 bytes per proxy (its header and body,
    # the table's entry): ~2.7 MB a session at k = 20,000.
    [ $((after - before)) -lt 3000 ] || fail "RSS grew by $((after - before)) KiB over $sessions sessions"
  fi
  stop_server
  ;;
fuzz)
  # The real session layer under fire: frames from a trusted key through
  # a real CURVE socket (random fields, flipped bits, garbage), and raw
  # garbage on the port. The node must keep serving and end cleanly.
  seconds=${ALOX_FUZZ_SECONDS:-10}
  start_server
  python3 "$here/strangers.py" "$port" 200 2 garbage >garbage.log 2>&1 &
  garbage_pid=$!; pids+=("$garbage_pid")
  timeout $((seconds + 60)) "$fake_peer" fuzz "tcp://127.0.0.1:$port" client keys/client.key keys/server.pub \
    "$seconds" "${ALOX_FUZZ_SEED:-$RANDOM}" >fuzz.log 2>&1 &
  fuzz_pid=$!; pids+=("$fuzz_pid")
  # Made-up PONGs never give a round trip (net/rtt.h): while the fuzzing
  # peer is in session, its rtt_us stays null (it never answers a PING).
  seen=0
  while kill -0 "$fuzz_pid" 2>/dev/null; do
    "$alox" top --once --json "$server_pid" 2>>top.err | jq -c '.peers[] | select(.node == "client")' >>rtt.log
    sleep 0.5
  done
  wait "$fuzz_pid" || fail "fake_peer exited $?"
  grep -q '"in_session":true' rtt.log && seen=1
  [ "$seen" = 1 ] || echo "note: the fuzzing peer was never seen in session by alox top"
  grep '"in_session":true' rtt.log | grep -v '"rtt_us":null' && fail "a forged PONG was taken as a round trip"
  wait "$garbage_pid"
  cat fuzz.log garbage.log
  kill -0 "$server_pid" 2>/dev/null || fail "the node died under fuzzing"
  timeout 60 "$delivery" --alox-node sink --alox-peer "server=tcp://127.0.0.1:$port" --alox-key keys/sink.key \
    --alox-trust trust.txt ping >ping.log 2>&1 || fail "a real client after the fuzzing"
  expect_log ping.log "ok: ping"
  stop_server
  expect_log server.log "malformed"
  ;;
*) fail "unknown case" ;;
esac
echo "ok: $case_name"
