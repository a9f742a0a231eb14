#!/usr/bin/env bash
# scripts/demo.sh cluster [WORKERS] [JOBS]: a work farm over a cluster found
# through etcd. Starts a private etcd on 127.0.0.1 (random free ports, a
# temporary directory), WORKERS worker nodes (default 4) and a farmer, each
# knowing only --alox-cluster (here through ALOX_* variables). Prints who
# joined, then how the JOBS jobs (default 100) spread over the nodes.
#   run.sh FARM_BINARY ALOX_TOOL FREE_PORT [WORKERS] [JOBS]
set -euo pipefail
abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
farm=$(abs "$1") alox=$(abs "$2") free_port=$(abs "$3") workers=${4:-4} jobs=${5:-100}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v etcd >/dev/null || { echo "no etcd: scripts/setup.sh installs etcd-server" >&2; exit 1; }
# shellcheck source=../../scripts/etcd-local.sh
. "$root/scripts/etcd-local.sh"
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  [ -n "${ETCD_LOCAL_PID:-}" ] && etcd_local_stop
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
etcd_local_start "$dir" "$("$free_port")" "$("$free_port")"
cluster="etcd://127.0.0.1:${ETCD_LOCAL_URL##*:}/farm"
echo "etcd on ${ETCD_LOCAL_URL}; cluster $cluster"
names=(farmer)
for i in $(seq "$workers"); do names+=("w$i"); done
for n in "${names[@]}"; do "$alox" keygen keys "$n" >/dev/null; "$alox" trust-line "keys/$n.pub" "$n" >> trust.txt; done
export ALOX_CLUSTER="$cluster" ALOX_TRUST=trust.txt ALOX_CLUSTER_LEASE_S=2 ALOX_THREADS=1 ALOX_TOP=0
node() { # node NAME ARGS...: one node, its log in NAME.log
  local n=$1; shift
  ALOX_NODE=$n ALOX_KEY=keys/$n.key ALOX_LISTEN="tcp://127.0.0.1:$("$free_port")" "$farm" "$@" > "$n.log" 2>&1 &
  pids+=("$!")
}
for n in "${names[@]:1}"; do node "$n" worker; done
for _ in $(seq 100); do
  [ "$(etcd_local_get /alox/farm/members/ | wc -l)" -ge "$workers" ] && break; sleep 0.05
done
echo "members registered in etcd (etcdctl get --prefix /alox/farm/members/):"
etcd_local_get /alox/farm/members/ | sed 's/^/  /'
echo "the farmer joins and hands out $jobs jobs:"
start=$(date +%s%3N)
ALOX_NODE=farmer ALOX_KEY=keys/farmer.key ALOX_LISTEN="tcp://127.0.0.1:$("$free_port")" \
  timeout 120 "$farm" farmer "$jobs" 2> farmer.log
echo "farmer: done in $(( $(date +%s%3N) - start )) ms, joining included"
echo "what w1 saw of the cluster:"
grep -h "cluster farm:" w1.log | sed 's/^alox: /  /'
