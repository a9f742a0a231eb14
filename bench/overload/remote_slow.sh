#!/usr/bin/env bash
# Remote counting with a slow receiver (issue 16, credit: runtime/net/credit.h):
# a sender process floods the counter of a receiver process on 127.0.0.1
# (CURVE keys, real ZeroMQ), with backpressure off (ALOX_MAILBOX_LIMIT=0 on
# both: no hold, no gate) and on (the default 16384), interleaved. Prints per
# run: both peak RSS (/usr/bin/time), the send rate (messages over the time
# until the receiver said it had them all) and the largest backlog the sender
# saw (sent minus counted by the receiver, reported every 4,096 messages).
#   bench/overload/remote_slow.sh BUILD_DIR [--runs N] [--messages M] [--work W]
# BUILD_DIR must have bench_remote_slow and alox_cli built.
set -euo pipefail
build=${1:?give the build directory (cmake --build BUILD --target bench_remote_slow alox_cli)}
shift
runs=3 messages=5000000 work=30
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift ;;
    --messages) messages=$2; shift ;;
    --work) work=$2; shift ;;
    *) echo "remote_slow.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
build=$(cd "$build" && pwd)
prog=$build/bench/overload/remote_slow alox=$build/tools/alox
[ -x "$prog" ] && [ -x "$alox" ] || { echo "remote_slow.sh: build bench_remote_slow and alox_cli in $build first" >&2; exit 2; }
work_dir=$(mktemp -d)
trap 'rm -rf "$work_dir"' EXIT
cd "$work_dir"
"$alox" keygen keys sender >/dev/null
"$alox" keygen keys receiver >/dev/null
{ echo "sender $(cat keys/sender.pub)"; echo "receiver $(cat keys/receiver.pub)"; } >trust.txt
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export ALOX_TOP=0 ALOX_THREADS=${ALOX_THREADS:-2}
node() { # node NAME PEER PORT PEER_PORT SEND RECEIVE
  /usr/bin/time -f "rss_kib=%M" timeout 300 "$prog" --alox-node "$1" --alox-key "keys/$1.key" \
    --alox-trust trust.txt --alox-listen "tcp://127.0.0.1:$3" --alox-peer "$2=tcp://127.0.0.1:$4" \
    flood "$1" "$2" "$5" "$6" "$work" 0 0
}
for r in $(seq "$runs"); do
  for limit in 0 16384; do
    sp=$(free_port) rp=$(free_port)
    ALOX_MAILBOX_LIMIT=$limit node receiver sender "$rp" "$sp" 0 "$messages" >receiver.log 2>&1 &
    rpid=$!
    ALOX_MAILBOX_LIMIT=$limit node sender receiver "$sp" "$rp" "$messages" 0 >sender.log 2>&1 || true
    wait "$rpid" || true
    s=$(grep -h "sender:" sender.log | head -1) rr=$(grep -h "receiver:" receiver.log | head -1)
    rate=$(echo "$s" | sed -n 's/.*(\([0-9]*\) msg\/s).*/\1/p')
    backlog=$(echo "$s" | sed -n 's/.*max unconfirmed \([0-9]*\).*/\1/p')
    echo "run=$r limit=$limit sender_rss_kib=$(sed -n 's/rss_kib=//p' sender.log)" \
      "receiver_rss_kib=$(sed -n 's/rss_kib=//p' receiver.log) msg_per_s=$rate max_backlog=$backlog" \
      "$(echo "$s $rr" | grep -q FAIL && echo FAILED)"
  done
done
