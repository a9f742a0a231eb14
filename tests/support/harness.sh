# Shared preamble of the multi-process shell tests (tests/*/run.sh,
# tests/integration/monitors.sh). Source it, then call harness_init:
#   here=$(cd "$(dirname "$0")" && pwd)
#   . "$here/../support/harness.sh"
#   harness_init "$work" PEER_TIMEOUT_MS
# It needs $case_name (named in failures) and $alox (the `alox` tool, for
# keys). start_node starts one; each test knows its own roles.

# harness_init WORK PEER_TIMEOUT_MS: a fresh work directory to run in, the
# environment every node of a test shares (a caller's setting wins), and a
# trap that kills at exit every process whose pid is in $pids, so that no
# case leaves a node behind, whatever way it ends.
harness_init() {
  rm -rf "$1" && mkdir -p "$1" && cd "$1" || exit 1
  export ALOX_PEER_TIMEOUT_MS=${ALOX_PEER_TIMEOUT_MS:-$2}
  export ALOX_THREADS=${ALOX_THREADS:-2}
  pids=()
  trap harness_cleanup EXIT
}
harness_cleanup() { local p; for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done; }

# fail MESSAGE: says which case failed and why, shows the tail of every log
# of the work directory (the processes' side of the story), exits 1.
fail() {
  echo "FAIL ($case_name): $*"
  for f in *.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done
  exit 1
}
# expect_log FILE TEXT / refuse_log FILE TEXT: fail unless / if FILE has TEXT.
expect_log() { grep -q -- "$2" "$1" || fail "$1 lacks: $2"; }
refuse_log() { grep -q -- "$2" "$1" && fail "$1 has: $2"; return 0; }

# wait_for FILE TEXT TRIES [STEP]: polls FILE every STEP seconds (0.05)
# until it has TEXT; returns 1 after TRIES polls. For "NAME: ready" lines
# and other milestones; the caller decides whether a miss fails.
wait_for() {
  local _
  for _ in $(seq "$3"); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep "${4:-0.05}"; done
  return 1
}

# start_node NAME TRIES COMMAND...: a node in the background, its output
# appended to NAME.log, waited for until that log has the line
# "NAME: ready" (TRIES polls of 50 ms); its pid in $node_pid (and $pids).
# Not under `timeout`: signals, kill -9 included, must reach the node
# itself; harness_cleanup kills it at exit.
start_node() {
  local name=$1 tries=$2; shift 2
  "$@" >>"$name.log" 2>&1 &
  node_pid=$!
  pids+=("$node_pid")
  wait_for "$name.log" "^$name: ready" "$tries" || fail "$name did not start"
}

# keys NAME...: a CURVE key pair per NAME, keys/NAME.key and keys/NAME.pub.
keys() { local n; for n in "$@"; do "$alox" keygen keys "$n" >/dev/null || fail "keygen $n"; done; }
# trust_line NAME: NAME's line of a trust file; trust NAME... writes
# trust.txt with a line for each NAME.
trust_line() { echo "$1 $(cat "keys/$1.pub")"; }
trust() { local n; for n in "$@"; do trust_line "$n"; done > trust.txt; }
