#!/usr/bin/env bash
# Builds Alox (runtime + GCC plugin) and runs the main demo: the seed's
# ping-pong, written with annotations and compiled by gcc -fplugin=alox.
#   scripts/demo.sh [pingpong|workfarm|distributed-pingpong|kv|cluster|quotes] [demo arguments...]
#   ALOX_CC=clang scripts/demo.sh ...   the same demos built by alox-clang
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/setup.sh"
alox_setup
build="${ALOX_BUILD_DIR:-$root/build/release}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DALOX_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target demos >/dev/null
demo="${1:-pingpong}"
shift || true
suffix=""
case "${ALOX_CC:-gcc}" in
  gcc) ;;
  clang) suffix="-clang" ;;
  *) echo "ALOX_CC must be gcc or clang, not '$ALOX_CC'" >&2; exit 2 ;;
esac
case "$demo" in
  distributed-pingpong)
    exec "$root/demos/distributed-pingpong/run.sh" "$build/demos/distributed-pingpong/dpingpong$suffix" \
      "$build/tools/alox" "$@" ;;
  pingpong|workfarm|quotes) exec "$build/demos/$demo/$demo$suffix" "$@" ;;
  kv) exec "$root/demos/kv/run.sh" "$build/demos/kv/kv$suffix" "$build/free_port" "$@" ;;
  cluster) exec "$root/demos/cluster/run.sh" "$build/demos/cluster/farm$suffix" "$build/tools/alox" \
      "$build/free_port" "$@" ;;
  *) echo "unknown demo '$demo' (pingpong, workfarm, distributed-pingpong, kv, cluster, quotes)" >&2; exit 2 ;;
esac
