#!/usr/bin/env bash
# Installs the Debian packages Alox needs to build and test, if missing.
# Sourced by demo.sh and test.sh; safe to run again (does nothing then).
set -euo pipefail

ALOX_PACKAGES=(
  build-essential cmake pkg-config
  gcc-12-plugin-dev            # the GCC plugin API
  libcmocka-dev                # unit tests
  libzmq3-dev libsodium-dev    # distribution (ZeroMQ + CurveZMQ)
  clang-14 libclang-14-dev     # the Clang front end
  libclang-rt-14-dev           # libFuzzer, for the wire-format fuzz test
  jq curl                      # the observation tests read alox top --json, scrape /metrics
  python3                      # tests/delivery drives raw sockets from small Python scripts
  redis-tools                  # redis-cli and redis-benchmark: demos/kv's demo and tests
  libcurl4-openssl-dev libjansson-dev  # cluster membership: etcd's JSON gateway (runtime/cluster); headers only, dlopened
  etcd-server etcd-client      # the real etcd the cluster tests and demo start on loopback
)

# The systems the Savina benchmarks compare with (bench/savina): the test
# run's smoke test (ctest savina_quick) builds and checks them too.
ALOX_BENCH_PACKAGES=(g++ libcaf-dev erlang-base golang-go time)

# What bench/kv compares demos/kv with.
ALOX_KV_BENCH_PACKAGES=(redis-tools redis-server)

# alox_missing_packages [PACKAGE...]: those not installed (default: ALOX_PACKAGES)
alox_missing_packages() {
  local missing=() wanted=("$@")
  [ ${#wanted[@]} -eq 0 ] && wanted=("${ALOX_PACKAGES[@]}")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

# alox_setup [PACKAGE...]: installs those missing (default: ALOX_PACKAGES)
alox_setup() {
  local missing
  missing=$(alox_missing_packages "$@")
  [ -z "$missing" ] && return 0
  echo "alox setup: installing Debian packages: $missing"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then sudo=sudo; else
      echo "alox setup: need root to run: apt-get install -y $missing" >&2; return 1
    fi
  fi
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then alox_setup; fi
