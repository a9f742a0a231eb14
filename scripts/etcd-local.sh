#!/usr/bin/env bash
# A private etcd on 127.0.0.1 for the cluster tests, demo and benchmark
# (sourced). Installs nothing: scripts/setup.sh installs etcd-server.
#
#   etcd_local_start DIR CLIENT_PORT PEER_PORT   starts it (data in DIR/etcd),
#                                                waits until it answers
#   etcd_local_kill                              kill -9 (an outage)
#   etcd_local_stop                              SIGTERM and wait
#   etcd_local_get PREFIX                        the keys under PREFIX, one a line
#
# Sets ETCD_LOCAL_PID and ETCD_LOCAL_URL (http://127.0.0.1:CLIENT_PORT).

etcd_local_start() {
  local dir=$1 client=$2 peer=$3
  mkdir -p "$dir"
  ETCD_LOCAL_URL="http://127.0.0.1:$client"
  etcd --name alox-test --data-dir "$dir/etcd" \
    --listen-client-urls "$ETCD_LOCAL_URL" --advertise-client-urls "$ETCD_LOCAL_URL" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "alox-test=http://127.0.0.1:$peer" --log-level warn --logger zap \
    >>"$dir/etcd.log" 2>&1 &
  ETCD_LOCAL_PID=$!
  for _ in $(seq 200); do
    curl -s --noproxy '*' -m 1 -X POST -d '{}' "$ETCD_LOCAL_URL/v3/maintenance/status" 2>/dev/null |
      grep -q '"version"' && return 0
    kill -0 "$ETCD_LOCAL_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "etcd did not start on $ETCD_LOCAL_URL (see $dir/etcd.log)" >&2
  return 1
}

etcd_local_kill() { kill -9 "$ETCD_LOCAL_PID" 2>/dev/null; wait "$ETCD_LOCAL_PID" 2>/dev/null || true; }
etcd_local_stop() { kill "$ETCD_LOCAL_PID" 2>/dev/null; wait "$ETCD_LOCAL_PID" 2>/dev/null || true; }

etcd_local_get() {
  ETCDCTL_API=3 etcdctl --endpoints "$ETCD_LOCAL_URL" get --prefix --keys-only "$1" | sed '/^$/d'
}
