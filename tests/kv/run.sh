#!/usr/bin/env bash
# demos/kv against Debian's redis-cli and redis-benchmark, on 127.0.0.1.
#   run.sh CASE KV_BINARY FREE_PORT WORK_DIR
# Cases: roundtrip (SET/GET/INCR and the other commands through redis-cli),
# benchmark (redis-benchmark runs unchanged), disconnect (clients that hang
# up mid-command, or reset, leave no connection, actor or descriptor).
set -uo pipefail
case_name=$1 kv=$2 free_port=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
command -v redis-cli >/dev/null || { echo "redis-cli missing: run scripts/setup.sh (redis-tools)"; exit 1; }
port=$("$free_port") || { echo "no free port"; exit 1; }
"$kv" --port "$port" --shards 4 > kv.log 2>&1 &
kv_pid=$!
trap 'kill $kv_pid 2>/dev/null' EXIT
fail() { echo "FAIL ($case_name): $*"; echo "--- kv.log"; tail -n 30 kv.log; exit 1; }
for _ in $(seq 100); do grep -q "listening" kv.log && break; sleep 0.05; done
grep -q "listening" kv.log || fail "kv did not start"
cli() { timeout 20 redis-cli -p "$port" "$@"; }
expect() { # expect WANT COMMAND...
  local want=$1; shift
  local got; got=$(cli "$@" 2>&1)
  [ "$got" = "$want" ] || fail "redis-cli $*: got '$got', want '$want'"
}
info_field() { cli INFO | tr -d '\r' | sed -n "s/^$1://p"; }
descriptors() { ls "/proc/$kv_pid/fd" | wc -l; }
# Waits (up to 5 s) until the only connection left is the asking INFO's.
settle_connections() {
  for _ in $(seq 100); do
    [ "$(info_field connected_clients)" = 1 ] && [ "$(info_field connection_actors)" = 1 ] && return 0
    sleep 0.05
  done
}

case "$case_name" in
  roundtrip)
    expect PONG PING
    expect OK SET greeting "hello world"
    expect "hello world" GET greeting
    expect "" GET missing
    expect 1 INCR counter
    expect 2 INCR counter
    expect 3 INCR counter
    expect "ERR value is not an integer or out of range" INCR greeting
    expect OK SET big "$(head -c 100000 /dev/zero | tr '\0' x)"
    [ "$(cli GET big | wc -c)" = 100001 ] || fail "GET of a 100000-byte value"
    expect "$(printf 'hello world\n3\n')" MGET greeting counter missing
    expect 2 EXISTS greeting counter missing
    expect 2 DEL greeting counter missing
    expect 0 EXISTS greeting counter
    expect "ERR unknown command 'NOSUCH'" NOSUCH x
    expect "ERR wrong number of arguments for 'get' command" get
    # 200 keys spread over the shards, set and read back in one pipeline.
    for i in $(seq 200); do printf 'SET key%d value%d\r\n' "$i" "$i"; done | cli > set.out
    [ "$(grep -c OK set.out)" = 200 ] || fail "pipelined SETs"
    for i in $(seq 200); do printf 'GET key%d\r\n' "$i"; done | cli > get.out
    for i in $(seq 200); do echo "value$i"; done | diff - get.out > /dev/null || fail "pipelined GETs out of order"
    # A real pipeline (redis-cli --pipe writes it all at once): 3000 SETs
    # of 100-byte values, ~450 KB, more than a group (1024 commands) and
    # the first input buffer, so the input buffer grows while a group is
    # out: the group must answer from its own copy of the requests.
    awk 'BEGIN { for (i = 1; i <= 3000; i++) {
      v = sprintf("v%05d%094d", i, i * 7919); k = "big" i
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n", length(k), k, v } }' > pipe.in
    timeout 60 redis-cli -p "$port" --pipe < pipe.in > pipe.out 2>&1 || fail "redis-cli --pipe: $(cat pipe.out)"
    grep -q "errors: 0, replies: 3000" pipe.out || fail "redis-cli --pipe: $(cat pipe.out)"
    for i in $(seq 3000); do printf 'GET big%d\r\n' "$i"; done | cli > big.out
    awk 'BEGIN { for (i = 1; i <= 3000; i++) printf "v%05d%094d\n", i, i * 7919 }' | diff - big.out > /dev/null ||
      fail "values of a 3000-SET pipeline"
    echo "roundtrip: redis-cli SET/GET/INCR/MGET/EXISTS/DEL, a 200-command and a 3000-SET pipeline ok"
    ;;
  benchmark)
    out=$(timeout 120 redis-benchmark -p "$port" -t set,get,incr -n 20000 -c 20 -P 4 -q 2>&1 | tr '\r' '\n' | grep "requests per second")
    [ "$(echo "$out" | wc -l)" = 3 ] || fail "redis-benchmark did not finish: $out"
    echo "$out"
    expect 20000 GET counter:__rand_int__
    ;;
  disconnect)
    cli PING > /dev/null || fail "kv not answering"
    # The PING's connection may not be closed on the server's side yet:
    # count descriptors once only the counting INFO's own is open.
    settle_connections
    sleep 0.2
    before=$(descriptors)
    for i in $(seq 20); do
      # A SET cut off in the middle of its value, then the client is gone.
      exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "connect"
      printf '*3\r\n$3\r\nSET\r\n$5\r\nhalf%d\r\n$10\r\nonly' "$((i % 10))" >&3
      exec 3>&-
      # A complete command and half of the next, then a reset by a killed client.
      (exec 4<>"/dev/tcp/127.0.0.1/$port"; printf 'SET whole 1\r\n*2\r\n$3\r\nGET\r\n$2\r\nwh' >&4; kill -9 $BASHPID) 2>/dev/null
    done
    settle_connections
    [ "$(info_field connected_clients)" = 1 ] || fail "connections left: $(info_field connected_clients) (want 1: this INFO)"
    [ "$(info_field connection_actors)" = 1 ] || fail "connection actors left: $(info_field connection_actors)"
    # The last INFO's descriptor closes a moment after its reply: poll.
    for _ in $(seq 40); do after=$(descriptors); [ "$after" -le "$before" ] && break; sleep 0.05; done
    [ "$after" -le "$before" ] || fail "descriptors: $before before, $after after"
    expect "" GET half1
    expect 1 GET whole
    echo "disconnect: 40 clients cut off mid-command: no connection, actor or descriptor left ($after descriptors)"
    ;;
  *) echo "unknown case $case_name"; exit 2 ;;
esac
