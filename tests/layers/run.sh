#!/usr/bin/env bash
# The layering check (scripts/check-layers.sh) on the real tree, and on
# copies of it with a deliberately wrong include, which it must catch.
#   run.sh tree | upward | sibling | system | stray   ROOT WORKDIR
set -euo pipefail
case=$1 root=$2 work=$3
check="$root/scripts/check-layers.sh"

# A copy of runtime/ with one line added at the top of FILE.
broken_copy() {
  local file=$1 line=$2
  rm -rf "$work" && mkdir -p "$work"
  cp -r "$root/runtime" "$root/include" "$work/"
  sed -i "1i $line" "$work/runtime/$file"
}

# The check must fail, naming the file and the include.
expect_caught() {
  local file=$1 include=$2 out
  if out=$("$check" "$work" 2>&1); then
    echo "FAIL: check-layers passed a tree where runtime/$file includes $include"; exit 1
  fi
  grep -F "runtime/$file:1: includes $include" <<<"$out" >/dev/null ||
    { echo "FAIL: the report does not name runtime/$file and $include:"; echo "$out"; exit 1; }
  echo "caught: $out"
}

case "$case" in
  tree) "$check" "$root" ;;
  upward)  # the core reaching up into the network layer
    broken_copy core/worker.c '#include "net/transport.h"'
    expect_caught core/worker.c '"net/transport.h"' ;;
  sibling) # the codec must know neither sockets nor keys
    broken_copy wire/wire_item.c '#include "security/keys.h"'
    expect_caught wire/wire_item.c '"security/keys.h"' ;;
  system)  # only the network layers talk to ZeroMQ
    broken_copy core/mailman.c '#include <zmq.h>'
    expect_caught core/mailman.c '<zmq.h>' ;;
  stray)   # a file outside every layer folder
    broken_copy core/actor.c '/* a copy */'
    cp "$work/runtime/core/actor.c" "$work/runtime/stray.c"
    out=$("$check" "$work" 2>&1) && { echo "FAIL: runtime/stray.c was accepted"; exit 1; }
    grep -F "runtime/stray.c: not in a layer folder" <<<"$out" >/dev/null ||
      { echo "FAIL: stray.c not named: $out"; exit 1; }
    echo "caught: $out" ;;
  *) echo "unknown case $case" >&2; exit 2 ;;
esac
