#!/usr/bin/env bash
# scripts/demo.sh kv: starts demos/kv on a free port of 127.0.0.1 and shows
# Debian's redis-cli talking to it, then a short redis-benchmark run.
#   run.sh KV_BINARY FREE_PORT [kv arguments...]
set -euo pipefail
kv=$1 free_port=$2
shift 2
port=$("$free_port")
log=$(mktemp)
"$kv" --port "$port" "$@" > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.05; done
cat "$log"
run() { echo "\$ redis-cli -p $port $*"; redis-cli -p "$port" "$@"; }
run PING
run SET greeting "hello from actors"
run GET greeting
run INCR visits
run INCR visits
run MGET greeting visits nothing
run EXISTS greeting visits nothing
run DEL greeting
echo "\$ redis-benchmark -p $port -t set,get,incr -n 100000 -c 50 -P 16 -q"
redis-benchmark -p "$port" -t set,get,incr -n 100000 -c 50 -P 16 -q 2>&1 | tr '\r' '\n' | grep "requests per second"
