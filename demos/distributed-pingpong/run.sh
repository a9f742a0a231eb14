#!/usr/bin/env bash
# Runs the distributed ping-pong on this machine: makes keys and a trust
# file in a scratch directory, starts the serving node, plays against it.
#   run.sh DPINGPONG_BINARY ALOX_TOOL [rounds]
set -euo pipefail
dpingpong=$1 alox=$2 rounds=${3:-10000}
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
cd "$dir"
"$alox" keygen keys pong >/dev/null
"$alox" keygen keys ping >/dev/null
echo "pong $(cat keys/pong.pub)" > trust.txt
echo "ping $(cat keys/ping.pub)" >> trust.txt
port=$(( 20000 + RANDOM % 20000 ))
"$dpingpong" --alox-node pong --alox-listen "tcp://127.0.0.1:$port" \
  --alox-key keys/pong.key --alox-trust trust.txt serve &
server=$!
"$dpingpong" --alox-node ping --alox-peer "pong=tcp://127.0.0.1:$port" \
  --alox-key keys/ping.key --alox-trust trust.txt play "$rounds"
wait $server
