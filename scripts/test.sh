#!/usr/bin/env bash
# Builds Alox and runs every test: plain, under ThreadSanitizer, and under
# AddressSanitizer + UBSan.
#   scripts/test.sh            all three configurations
#   scripts/test.sh plain      one of: plain thread address
#   ALOX_TRANSPARENCY=1 scripts/test.sh   also build zlib, cJSON, Jansson and Lua
#                                  with and without the plugin (~5 min, downloads)
#   ALOX_SLOW_TESTS=1 scripts/test.sh     also the slow stress cases: the plugin under
#                                  forced garbage collection for every program (~5 min)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/setup.sh"
alox_setup
alox_setup "${ALOX_BENCH_PACKAGES[@]}" # CAF and Erlang, for the Savina smoke test

configs=("$@")
[ ${#configs[@]} -eq 0 ] && configs=(plain thread address)
jobs=$(nproc)
transparency=OFF; [ "${ALOX_TRANSPARENCY:-0}" = 1 ] && transparency=ON
slow=OFF; [ "${ALOX_SLOW_TESTS:-0}" = 1 ] && slow=ON

for config in "${configs[@]}"; do
  case "$config" in
    plain) sanitize="" ;;
    thread|address) sanitize="$config" ;;
    *) echo "unknown configuration '$config' (plain, thread, address)" >&2; exit 2 ;;
  esac
  build="${ALOX_BUILD_DIR:-$root/build}/test-$config"
  # libzmq is not instrumented: see tests/tsan.supp.
  export TSAN_OPTIONS="suppressions=$root/tests/tsan.supp halt_on_error=1 ${TSAN_OPTIONS:-}"
  echo "=== $config: configure and build in $build"
  # The front ends' suites compile programs with the system compilers: they
  # run once, in the plain configuration; the sanitizers are for the runtime.
  clang=ON; [ -n "$sanitize" ] && clang=OFF
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALOX_SANITIZE="$sanitize" \
        -DALOX_BUILD_CLANG="$clang" -DALOX_TRANSPARENCY="$transparency" -DALOX_SLOW_TESTS="$slow" >/dev/null
  cmake --build "$build" -j "$jobs" >/dev/null
  echo "=== $config: tests"
  (cd "$build" && ctest -j "$jobs" --output-on-failure --timeout 600)
done
echo "=== all configurations passed: ${configs[*]}"
