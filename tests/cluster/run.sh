#!/usr/bin/env bash
# Cluster membership on a real etcd (issue 20), on 127.0.0.1 only.
#   run.sh CASE MEMBER_BINARY ALOX_TOOL FREE_PORT WORK_DIR
# Starts etcd with random free ports, data in WORK_DIR, and nodes of
# tests/cluster/member.c that know no peer: only --alox-cluster. Every
# process is bounded in time; exit 77 (ctest: skipped) only if etcd is
# not installed.
#
# Cases:
#   find5        5 nodes find and reach each other from the cluster alone;
#                a node whose record is deleted puts it back; ended with
#                SIGTERM, they leave at once (lease revoked)
#   kill         kill -9 of a node: its name leaves the others' membership
#                within the lease + 1 s, their peer-lost fires and their
#                monitors on its actors say node-lost; a restarted node
#                is a new incarnation, reached again
#   untrusted    a real node whose key is not in the trust file, and a
#                forged record for a trusted name: both ignored and logged
#   etcd_restart etcd killed mid-run: links carry on; etcd back without its
#                data: every node registers again, a new node finds all;
#                killed again and back with its data: the leases survive
#   etcd_stall   etcd stopped longer than a lease, then resumed: every lease
#                expires, the nodes register and join again, links kept
set -uo pipefail
case_name=$1 member=$2 alox=$3 free_port=$4 work=$5
here=$(cd "$(dirname "$0")" && pwd)
command -v etcd >/dev/null || { echo "SKIP: no etcd binary (scripts/setup.sh installs etcd-server)"; exit 77; }
command -v etcdctl >/dev/null || { echo "SKIP: no etcdctl (scripts/setup.sh installs etcd-client)"; exit 77; }
# shellcheck source=../../scripts/etcd-local.sh
source "$here/../../scripts/etcd-local.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export ALOX_THREADS=${ALOX_THREADS:-2} ALOX_TOP=0
export ALOX_CLUSTER_LEASE_S=${ALOX_CLUSTER_LEASE_S:-2}
lease_ms=$((ALOX_CLUSTER_LEASE_S * 1000))
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
  [ -n "${ETCD_LOCAL_PID:-}" ] && kill -9 "$ETCD_LOCAL_PID" 2>/dev/null
  true
}
trap cleanup EXIT

fail() {
  echo "FAIL ($case_name): $*"
  for f in *.log; do [ -f "$f" ] && { echo "--- $f"; grep -v "dead letter" "$f" | tail -n 25; }; done
  exit 1
}

port() { "$free_port" || fail "no free port"; }
client_port=$(port) peer_port=$(port)
etcd_local_start "$work" "$client_port" "$peer_port" || fail "etcd did not start"
cluster="etcd://127.0.0.1:$client_port/test"

keys() { for n in "$@"; do "$alox" keygen keys "$n" >/dev/null || fail "keygen $n"; done; }
trust() { for n in "$@"; do echo "$n $(cat "keys/$n.pub")"; done > trust.txt; }

declare -A pid_of
start() { # start NAME EXPECT [TRUST_FILE]: a node, not under timeout (kill -9 hits it)
  local name=$1 expect=$2 trust_file=${3:-trust.txt}
  "$member" --alox-node "$name" --alox-listen "tcp://127.0.0.1:$(port)" --alox-key "keys/$name.key" \
    --alox-trust "$trust_file" --alox-cluster "$cluster" "$name" "$expect" >>"$name.log" 2>&1 &
  pid_of[$name]=$!
  pids+=("$!")
}

# wait_for LOG PATTERN SECONDS
wait_for() {
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "$1 lacks '$2' after $3 s"
}
expect_log() { grep -q -- "$2" "$1" || fail "$1 lacks: $2"; }
expect_fixed() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2"; }
# wait_count LOG PATTERN COUNT SECONDS: at least COUNT lines match
wait_count() {
  local deadline=$((SECONDS + $4))
  while [ $SECONDS -lt $deadline ]; do [ "$(grep -c -- "$2" "$1")" -ge "$3" ] && return 0; sleep 0.05; done
  fail "$1 has fewer than $3 lines '$2' after $4 s"
}
# wait_member LOG NAME SECONDS: LOG's node holds NAME as a member (it
# joined once more often than it left)
wait_member() {
  local deadline=$((SECONDS + $3)) joined left
  while [ $SECONDS -lt $deadline ]; do
    joined=$(grep -c -- "^joined $2 " "$1") left=$(grep -c -- "^left $2 " "$1")
    [ "$joined" -ge 1 ] && [ "$joined" -eq $((left + 1)) ] && return 0
    sleep 0.05
  done
  fail "$1 does not hold $2 as a member after $3 s (joined $joined, left $left)"
}
refuse_log() { ! grep -q -- "$2" "$1" || fail "$1 has: $2"; }

stop() { # stop NAME: SIGTERM, exit 0 within 10 s
  local name=$1 p=${pid_of[$1]}
  kill -TERM "$p" 2>/dev/null
  for _ in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$p" 2>/dev/null && fail "$name did not end at SIGTERM"
  wait "$p"; local rc=$?
  [ $rc -eq 0 ] || fail "$name exited $rc"
}

# The time in ms of the first line "WORD NODE ..." in LOG (its last field).
time_of() { awk -v w="$2" -v n="$3" '$1 == w && $2 == n { print $NF; exit }' "$1"; }

case "$case_name" in
find5)
  nodes=(n1 n2 n3 n4 n5)
  keys "${nodes[@]}"; trust "${nodes[@]}"
  for n in "${nodes[@]}"; do start "$n" 4; done
  for n in "${nodes[@]}"; do wait_for "$n.log" "ok: reached all 4" 30; done
  for n in "${nodes[@]}"; do
    for m in "${nodes[@]}"; do [ "$n" = "$m" ] || expect_log "$n.log" "^reached $m "; done
    refuse_log "$n.log" "peer-lost"
    expect_log "$n.log" "^members 4:" # alox_members: the others, not itself
    refuse_log "$n.log" "^members 4:.* $n\( \|$\)"
  done
  [ "$(etcd_local_get /alox/test/members/ | wc -l)" = 5 ] || fail "etcd does not list 5 members"
  echo "5 nodes reached each other from the cluster alone"
  # A record deleted by hand: its node puts it back (others see it leave and join again).
  ETCDCTL_API=3 etcdctl --endpoints "$ETCD_LOCAL_URL" del /alox/test/members/n1 >/dev/null || fail "etcdctl del"
  wait_for n1.log "this node's record was deleted; registering again" 5
  wait_count n2.log "^joined n1 " 2 5
  [ "$(etcd_local_get /alox/test/members/ | wc -l)" = 5 ] || fail "n1 did not put its record back"
  stop n5
  for n in n1 n2 n3 n4; do wait_for "$n.log" "^left n5 " 1; done # revoked: at once, not at the lease's end
  for n in n1 n2 n3 n4; do stop "$n"; done
  [ -z "$(etcd_local_get /alox/test/members/)" ] || fail "members left in etcd after a clean end"
  echo "ok: find5 (a clean end leaves the cluster at once)"
  ;;
kill)
  keys a b c; trust a b c
  for n in a b c; do start "$n" 2; done
  for n in a b c; do wait_for "$n.log" "ok: reached all 2" 30; done
  killed_at=$(date +%s%3N)
  kill -9 "${pid_of[c]}"
  for n in a b; do
    wait_for "$n.log" "^left c " 10; wait_for "$n.log" "^peer-lost c " 10
    wait_for "$n.log" "^down c node-lost " 10 # the monitor on its echo
  done
  for n in a b; do
    gone=$(time_of "$n.log" left c) lost=$(time_of "$n.log" peer-lost c)
    echo "$n: c left the membership $((gone - killed_at)) ms after kill -9, peer-lost after $((lost - killed_at)) ms (lease $lease_ms ms)"
    [ $((gone - killed_at)) -le $((lease_ms + 1000)) ] || fail "$n saw c leave after $((gone - killed_at)) ms: more than the lease + 1 s"
  done
  [ "$(etcd_local_get /alox/test/members/ | wc -l)" = 2 ] || fail "etcd still lists c"
  # A restarted c is a new incarnation: the others see it join again and reach it.
  : > c.log
  start c 2
  for n in a b; do wait_count "$n.log" "^joined c " 2 10; done
  wait_for c.log "ok: reached all 2" 30
  for n in a b c; do stop "$n"; done
  echo "ok: kill"
  ;;
untrusted)
  keys a b rogue; trust a b
  # rogue trusts everyone; a and b do not know its key.
  { cat trust.txt; echo "rogue $(cat keys/rogue.pub)"; } > rogue-trust.txt
  start a 1; start b 1
  for n in a b; do wait_for "$n.log" "ok: reached all 1" 30; done
  start rogue 2 rogue-trust.txt
  wait_for rogue.log "registered as" 10
  # A forged record: a trusted name (b) with rogue's key and rogue's address.
  forged="{\"address\":\"tcp://127.0.0.1:$(port)\",\"incarnation\":\"99999999999999999\",\"key\":\"$(cat keys/rogue.pub)\",\"name\":\"mallory\"}"
  ETCDCTL_API=3 etcdctl --endpoints "$ETCD_LOCAL_URL" put /alox/test/members/mallory "$forged" >/dev/null || fail "etcdctl put"
  forged_b=${forged//mallory/b}
  ETCDCTL_API=3 etcdctl --endpoints "$ETCD_LOCAL_URL" put /alox/test/members/b-copy "$forged_b" >/dev/null || fail "etcdctl put"
  for n in a b; do
    wait_for "$n.log" "ignored the member record of rogue: 'rogue' (key .*) is not in the trust file" 10
    expect_fixed "$n.log" "'rogue' (key $(cat keys/rogue.pub)) is not in the trust file"
    wait_for "$n.log" "ignored the member record of mallory: 'mallory'" 10
  done
  wait_for a.log "ignored the member record of b-copy: it is stored under the name 'b-copy' but names 'b'" 10
  sleep 1
  for n in a b; do refuse_log "$n.log" "^joined rogue"; refuse_log "$n.log" "^joined mallory"; done
  [ "$(grep -c '^joined b ' a.log)" = 1 ] || fail "a took the forged record for b"
  [ "$(grep -c 'ignored the member record of rogue' a.log)" = 1 ] || fail "the ignored record was logged more than once"
  for n in a b rogue; do stop "$n"; done
  echo "ok: untrusted (a key not in the trust file, and a forged record: ignored, logged once)"
  ;;
etcd_restart)
  nodes=(n1 n2 n3 n4)
  keys "${nodes[@]}" n5; trust "${nodes[@]}" n5
  for n in "${nodes[@]}"; do start "$n" 3; done
  for n in "${nodes[@]}"; do wait_for "$n.log" "ok: reached all 3" 30; done
  etcd_local_kill
  for n in "${nodes[@]}"; do wait_for "$n.log" "etcd does not answer" 10; done
  pongs_before=$(awk '$1 == "pongs" { p = $2 } END { print p + 0 }' n1.log)
  sleep $((ALOX_CLUSTER_LEASE_S * 2))  # longer than a lease: nothing may expire without etcd
  pongs_during=$(awk '$1 == "pongs" { p = $2 } END { print p + 0 }' n1.log)
  [ "$pongs_during" -gt $((pongs_before + 20)) ] || fail "n1's links stalled during the outage ($pongs_before -> $pongs_during pongs)"
  for n in "${nodes[@]}"; do refuse_log "$n.log" "peer-lost"; refuse_log "$n.log" "^left "; done
  echo "links carried on through the outage (n1: $pongs_before -> $pongs_during pongs)"
  # etcd comes back empty (its data lost): every node must register again.
  rm -rf "$work/etcd"
  etcd_local_start "$work" "$client_port" "$peer_port" || fail "etcd did not restart"
  for n in "${nodes[@]}"; do wait_for "$n.log" "re-registered as" 15; done
  for _ in $(seq 100); do [ "$(etcd_local_get /alox/test/members/ | wc -l)" = 4 ] && break; sleep 0.1; done
  [ "$(etcd_local_get /alox/test/members/ | wc -l)" = 4 ] || fail "not every node registered again"
  start n5 4
  wait_for n5.log "ok: reached all 4" 30
  for n in "${nodes[@]}"; do wait_for "$n.log" "^reached n5 " 15; refuse_log "$n.log" "peer-lost"; done
  # A second outage, etcd back with its data: the leases survive it, so
  # nobody registers again and nobody leaves.
  etcd_local_kill
  wait_count n5.log "etcd does not answer" 1 10
  sleep $((ALOX_CLUSTER_LEASE_S + 1))
  registered_before=$(cat ./*.log | grep -c "registered as")
  etcd_local_start "$work" "$client_port" "$peer_port" || fail "etcd did not start again"
  wait_count n5.log "etcd answers again" 1 15
  sleep $((ALOX_CLUSTER_LEASE_S + 1))
  [ "$(cat ./*.log | grep -c "registered as")" = "$registered_before" ] || fail "a lease did not survive etcd's restart"
  [ "$(etcd_local_get /alox/test/members/ | wc -l)" = 5 ] || fail "etcd lost a member over its restart"
  for n in "${nodes[@]}"; do refuse_log "$n.log" "^left n5 "; done
  for n in "${nodes[@]}" n5; do stop "$n"; done
  echo "ok: etcd_restart (links kept, registration recovered, a new node found everyone)"
  ;;
etcd_stall)
  # etcd stopped (SIGSTOP) for longer than a lease, then resumed: it
  # expires every lease at once; the nodes see each other leave, register
  # again and join again, and their links never notice.
  keys a b c; trust a b c
  for n in a b c; do start "$n" 2; done
  for n in a b c; do wait_for "$n.log" "ok: reached all 2" 30; done
  kill -STOP "$ETCD_LOCAL_PID"
  sleep $((ALOX_CLUSTER_LEASE_S * 2 + 1))
  kill -CONT "$ETCD_LOCAL_PID"
  for n in a b c; do wait_for "$n.log" "re-registered as" 15; done
  # Each node ends with the other two as members. A node whose watch broke
  # in the stall ranges the members afresh: if a peer had already
  # registered again by then (same incarnation), it never saw it leave,
  # which is right, so the check is "joined once more than left" (and
  # that somebody saw a lease expire at all).
  for n in a b c; do for m in a b c; do
    [ "$n" = "$m" ] || wait_member "$n.log" "$m" 15
  done; done
  grep -q "^left " a.log b.log c.log || fail "no node saw a lease expire"
  for _ in $(seq 100); do [ "$(etcd_local_get /alox/test/members/ | wc -l)" = 3 ] && break; sleep 0.1; done
  [ "$(etcd_local_get /alox/test/members/ | wc -l)" = 3 ] || fail "not every node registered again"
  for n in a b c; do refuse_log "$n.log" "peer-lost"; done
  for n in a b c; do stop "$n"; done
  echo "ok: etcd_stall (leases expired by a stalled etcd: everyone registered and joined again, links kept)"
  ;;
*) echo "unknown case $case_name"; exit 2 ;;
esac
