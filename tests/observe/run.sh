#!/usr/bin/env bash
# Observation tests (issue 17), each a ctest case:
#   run.sh CASE OBSERVED ALOX FREE_PORT WORK_DIR
# OBSERVED is tests/observe/observed.c, ALOX the alox command. Every
# process is bounded in time; a case prints what it checked and exits
# non-zero on the first failure (77: skipped, with the reason).
set -uo pipefail
case_name=$1 observed=$2 alox=$3 free_port=$4 work=$5
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export ALOX_THREADS=2
pids=()
restore_dir=""
cleanup() {
  set +e
  [ -n "$restore_dir" ] && chmod 700 "$restore_dir" # other_user opens it for a moment
  touch "$work/stop" 2>/dev/null
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
  return 0
}
trap 'rc_=$?; cleanup; exit $rc_' EXIT

fail() {
  echo "FAIL ($case_name): $*"
  for f in "$work"/*.log "$work"/*.out "$work"/*.err; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done
  exit 1
}
ok() { echo "ok: $*"; }
need() { command -v "$1" >/dev/null || { echo "SKIP: $1 is not installed (scripts/setup.sh installs it)"; exit 77; }; }
need jq

# start_observed ARGS...: runs `observed serve` in the background until
# $work/stop exists; sets pid once it printed "ready".
start_observed() {
  rm -f "$work/stop"
  timeout 100 "$observed" "$@" serve "$work" >"$work/observed.out" 2>"$work/observed.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 400); do
    grep -q '^ready' "$work/observed.out" 2>/dev/null && { pid=$(awk '/^ready/ {print $2}' "$work/observed.out"); return 0; }
    kill -0 "$pid" 2>/dev/null || fail "observed exited before it was ready"
    sleep 0.05
  done
  fail "observed did not get ready"
}

stop_observed() {
  touch "$work/stop"
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.05; waited=$((waited + 1))
    [ $waited -gt 1200 ] && fail "observed did not stop"
  done
  grep -q "sink got 20000" "$work/observed.out" || fail "observed did not finish its work"
}

# jq_check FILE EXPR WHAT: EXPR must be true of FILE's JSON.
jq_check() {
  jq -e "$2" "$1" >/dev/null || fail "$3 (jq: $2)"
  ok "$3"
}

case "$case_name" in
top_json)
  # Exact: actors spawned, stopped and live per type, behaviours run per
  # worker, dead letters. Estimated (the test's tolerance): behaviours per
  # type are sampled, one batch in about 256 counted 256 times, so the
  # 10000 pings (10000 batches: about 39 samples, a standard deviation of
  # about 16%) must show between 5000 and 15000 (more than 3 deviations);
  # the sink is still working while we look: at least one behaviour run
  # and at most the 20000 sent, a backlog of at least 1000 (it starts near
  # 20000 and drains about 10000 a second; at most 10000 are counted).
  start_observed
  "$alox" top --json "$pid" >snap1.json 2>top.err || fail "alox top --json exited $?"
  jq -e . snap1.json >/dev/null || fail "alox top --json did not print JSON"
  jq_check snap1.json ".format == 1 and .pid == $pid and .program == \"observed\" and .node == null" "identity: format, pid, program"
  jq_check snap1.json '.running == true and (.workers | length) == 2' "two workers, inside alox_run"
  t() { echo ".types[] | select(.type == \"$1\")"; }
  jq_check snap1.json "[$(t lamp) | .live == 3 and .spawned == 3 and .stopped == 0 and .runs_sampled == 0] == [true]" "lamp: 3 live, none ran"
  jq_check snap1.json "[$(t toggle) | .spawned == 5 and .stopped == 2 and .live == 3] == [true]" "toggle: 5 spawned, 2 stopped, 3 live"
  jq_check snap1.json "[$(t pinger) | .live == 1 and .runs_sampled >= 5000 and .runs_sampled <= 15000] == [true]" "pinger: 10000 behaviours, estimated within 50%"
  jq_check snap1.json "[$(t ponger) | .live == 1 and .runs_sampled >= 5000 and .runs_sampled <= 15000] == [true]" "ponger: 9999 behaviours, estimated within 50%"
  jq_check snap1.json "[$(t sink) | .live == 1 and .runs_sampled <= 20000 * 3] == [true]" "sink: 1 live, at most 20000 behaviours so far (estimated)"
  jq_check snap1.json '[.types[].type] | sort == ["lamp","pinger","ponger","sink","toggle"]' "exactly the five actor types"
  jq_check snap1.json '[.workers[] | select(.current.type == "sink")] | length == 1' "one worker is running the sink now"
  jq_check snap1.json '([.workers[].runs] | add) >= 20006 and ([.workers[].runs] | add) <= 20006 + 20000' "the workers ran the 20006 behaviours of the finished work (exact) and some of the sink's"
  jq_check snap1.json '[.backlogs[] | select(.type == "sink" and .queued >= 1000)] | length == 1' "the sink's backlog is seen (at least 1000 queued)"
  jq_check snap1.json '[.busiest[0].type] == ["sink"]' "the busiest actor is the sink"
  jq_check snap1.json '.dead_letters.total == 1 and .dead_letters.by_reason["actor stopped"] == 1' "one dead letter, reason actor stopped"
  jq_check snap1.json '.peers == []' "no peers without distribution"
  sleep 0.3
  "$alox" top --json "$pid" >snap2.json 2>>top.err || fail "second alox top --json"
  a=$(jq "[.workers[].runs] | add" snap1.json); b=$(jq "[.workers[].runs] | add" snap2.json)
  [ "$b" -gt "$a" ] || fail "the workers' runs did not grow between two snapshots ($a, then $b)"
  ok "counters move: $a behaviours run, then $b"
  "$alox" top --json >list.json || fail "alox top --json (the list)"
  jq_check list.json "[.[] | select(.pid == $pid)] | length == 1" "the list has the program"
  sock=$(ls /run/user/$(id -u)/alox/"$pid".sock /tmp/alox-$(id -u)/"$pid".sock 2>/dev/null | head -1)
  [ -n "$sock" ] || fail "no socket file for $pid"
  stop_observed
  [ ! -e "$sock" ] || fail "the socket $sock outlived the program"
  ok "the socket is removed at exit"
  ;;
top_text)
  start_observed
  "$alox" top --once "$pid" >once.out 2>top.err || fail "alox top --once exited $?"
  for want in "pid $pid observed" "WORKER" "ACTOR TYPE" "lamp" "toggle" "sink" "BACKLOGS" "DEAD LETTERS 1: actor stopped 1"; do
    grep -qF -- "$want" once.out || fail "alox top --once lacks '$want'"
  done
  ok "alox top --once shows the program, workers, types, backlogs and dead letters"
  "$alox" top -n 2 -d 0.2 "$pid" >live.out 2>>top.err || fail "alox top -n 2 exited $?"
  [ "$(grep -c '^alox top - pid' live.out)" -eq 2 ] || fail "alox top -n 2 did not refresh twice"
  grep -q 'RUNS/s' live.out || fail "the refreshed view has no rates"
  ok "alox top -n 2 -d 0.2 refreshes twice, with rates per second"
  "$alox" top >list.out || fail "alox top (the list) exited $?"
  grep -Eq "^$pid +observed" list.out || fail "alox top does not list $pid"
  ok "alox top lists the program"
  stop_observed
  ;;
top_errors)
  run() { set +e; "$alox" top "$@" >err.out 2>err.err; rc=$?; set -e; }
  set -e
  run --json $$
  [ $rc -eq 1 ] && grep -q "is not an Alox program" err.err || fail "a non-Alox process: rc $rc, $(cat err.err)"
  ok "a process that is not an Alox program: $(cat err.err)"
  sleep 100 & gone=$!; kill $gone; wait $gone 2>/dev/null || true
  run --once $gone
  [ $rc -eq 1 ] && grep -q "there is no process $gone" err.err || fail "an exited pid: rc $rc, $(cat err.err)"
  ok "an exited process: $(cat err.err)"
  run nonsense
  [ $rc -eq 2 ] || fail "a bad pid: rc $rc"
  run --bogus 1
  [ $rc -eq 2 ] || fail "a bad option: rc $rc"
  ok "bad arguments exit 2"
  run --once --socket "$work/no-such.sock"
  [ $rc -eq 1 ] && grep -q "nothing answers at $work/no-such.sock" err.err || fail "--socket to no socket: rc $rc, $(cat err.err)"
  ok "--socket to a path where nothing listens: $(cat err.err)"
  run --once --socket "$work/no-such.sock" 1
  [ $rc -eq 2 ] && grep -q "not both" err.err || fail "a PID and --socket: rc $rc, $(cat err.err)"
  ok "a PID and --socket together: $(head -1 err.err)"
  set +e
  ALOX_TOP=0 start_observed
  set -e
  run --json "$pid"
  [ $rc -eq 1 ] && grep -q "ALOX_TOP=0" err.err || fail "a program with ALOX_TOP=0: rc $rc, $(cat err.err)"
  ok "a program run with ALOX_TOP=0 is not seen, and the message says why"
  stop_observed
  set +e
  ALOX_TOP=maybe timeout 20 "$observed" chain >bad.out 2>bad.err; rc=$?
  set -e
  [ $rc -eq 2 ] && grep -q "ALOX_TOP=maybe: give on or off" bad.err || fail "ALOX_TOP=maybe: rc $rc, $(cat bad.err)"
  ok "a bad ALOX_TOP is refused: $(cat bad.err)"
  # A program killed with -9 leaves its socket; the list tidies it away.
  start_observed
  dir=$(dirname "$(ls /run/user/$(id -u)/alox/"$pid".sock /tmp/alox-$(id -u)/"$pid".sock 2>/dev/null | head -1)")
  kill -9 "$pid"; sleep 0.2
  [ -S "$dir/$pid.sock" ] || fail "expected the stale socket of the killed program"
  run
  [ $rc -eq 0 ] && ! grep -q "^$pid " err.out && [ ! -e "$dir/$pid.sock" ] || fail "the list shows or keeps the killed program's socket"
  ok "the socket of a killed program is not listed, and is removed"
  ;;
trace_chain)
  # main -> a -> b -> c: three behaviour runs and three flows (send ->
  # run) whose ids match, each flow ending in the run it started.
  ALOX_TRACE="$work/chain.json" timeout 60 "$observed" chain >chain.out 2>chain.err || fail "observed chain exited $?"
  jq -e . chain.json >/dev/null || fail "the trace is not JSON"
  ok "ALOX_TRACE wrote $(wc -c <chain.json) bytes of JSON"
  jq_check chain.json '[.traceEvents[] | select(.ph == "X" and .cat == "alox")] | length == 3' "three behaviour runs"
  jq_check chain.json '[.traceEvents[] | select(.ph == "X" and .cat == "alox") | .name] | unique == ["hop.step"]' "all three are hop.step"
  jq_check chain.json '[.traceEvents[] | select(.ph == "s")] | length == 3' "three flow starts"
  jq_check chain.json '[.traceEvents[] | select(.ph == "f" and .bp == "e")] | length == 3' "three flow ends, bound to their slices"
  jq_check chain.json '([.traceEvents[] | select(.ph == "s") | .id] | sort) == ([.traceEvents[] | select(.ph == "f") | .id] | sort) and ([.traceEvents[] | select(.ph == "s") | .id] | unique | length) == 3' "the ids of starts and ends match, three distinct"
  # Each flow ends at the start of a run (same thread and time) and starts
  # inside the previous run (or the main thread's send slice).
  jq_check chain.json '
    [.traceEvents[] | select(.ph == "X")] as $slices
    | [.traceEvents[] | select(.ph == "f") as $f
       | $slices | map(select(.cat == "alox" and .tid == $f.tid and .ts == $f.ts)) | length == 1] | all' "every flow ends where a run starts"
  jq_check chain.json '
    [.traceEvents[] | select(.ph == "X")] as $slices
    | [.traceEvents[] | select(.ph == "s") as $s
       | $slices | map(select(.tid == $s.tid and .ts <= $s.ts and $s.ts <= .ts + .dur)) | length >= 1] | all' "every flow starts inside a slice of its thread"
  jq_check chain.json '[.traceEvents[] | select(.ph == "X" and .cat == "alox.send")] | length == 1' "main's send has a slice of its own"
  jq_check chain.json '[.traceEvents[] | select(.ph == "M" and .name == "thread_name") | .args.name] | index("main") != null' "tracks are named (main, worker N)"
  # A run reads the clock once and ends where its thread's next clocked
  # event is (core/trace.h): on each worker the slices tile, none
  # overlaps the next, and most end exactly where the next begins (a
  # runnext chain; the last ends at the worker's idle mark).
  ALOX_TRACE="$work/pp.json" timeout 60 "$observed" pingpong 200 >pp.out 2>&1 || fail "pingpong exited $?"
  jq_check pp.json '[.traceEvents[] | select(.ph == "X" and .cat == "alox")] | length == 399' "pingpong: 399 runs (2N - 1)"
  jq_check pp.json '[.traceEvents[] | select(.ph == "f")] | length == 399' "pingpong: 399 flows end"
  jq_check pp.json '
    [.traceEvents[] | select(.ph == "X" and .cat == "alox")] | group_by(.tid)
    | map(sort_by(.ts) | [range(1; length) as $i | .[$i - 1].ts + .[$i - 1].dur <= .[$i].ts + 0.0005] | all) | all' "pingpong: no run overlaps the next on its worker"
  jq_check pp.json '
    [.traceEvents[] | select(.ph == "X" and .cat == "alox")] | group_by(.tid)
    | map(sort_by(.ts) | [range(1; length) as $i | select((.[$i - 1].ts + .[$i - 1].dur - .[$i].ts) | fabs < 0.0005)] | length) | add >= 300' "pingpong: runs end where the next run of their worker begins"
  jq_check pp.json '[.traceEvents[] | select(.ph == "X" and .cat == "alox") | .dur > 0] | all' "pingpong: every run lasts"
  # Most runs there read no clock (a chain of the worker's own sends,
  # core/trace.h TRACE_CLOCK_EVERY): each flow must still go from a slice
  # of one behaviour to a run of the other (ping -> pong -> ping; the
  # first from main's send slice).
  jq_check pp.json '
    [.traceEvents[] | select(.ph == "X")] as $slices
    | ($slices | map(select(.cat == "alox"))) as $runs
    | [.traceEvents[] | select(.ph == "s")] as $starts
    | [.traceEvents[] | select(.ph == "f") as $f
       | ($runs | map(select(.tid == $f.tid and .ts == $f.ts)) | .[0].name) as $to
       | ($starts | map(select(.id == $f.id)) | .[0]) as $s
       | ($slices | map(select(.tid == $s.tid and .ts <= $s.ts and $s.ts <= .ts + .dur)) | .[0].name) as $from
       | ($from != null and $to != null and $from != $to)] | all' "pingpong: every flow goes from one behaviour to the other"
  # The flag does the same as the variable; a bad path is refused at start.
  timeout 60 "$observed" --alox-trace "$work/flag.json" chain >flag.out 2>&1 || fail "--alox-trace exited $?"
  jq_check flag.json '[.traceEvents[] | select(.ph == "f")] | length == 3' "--alox-trace FILE writes the same trace"
  set +e
  timeout 20 "$observed" --alox-trace "$work/no/such/dir/t.json" chain >bad.out 2>bad.err; rc=$?
  set -e
  [ $rc -eq 2 ] && grep -q "cannot create the trace file" bad.err || fail "a bad trace path: rc $rc, $(cat bad.err)"
  ok "a trace file that cannot be created is refused: $(cat bad.err)"
  ;;
metrics)
  need curl
  port=$("$free_port") || fail "no free port"
  start_observed --alox-metrics "tcp://127.0.0.1:$port"
  curl -sf --max-time 10 "http://127.0.0.1:$port/metrics" >metrics.out 2>curl.err || fail "curl /metrics failed"
  curl -sfI --max-time 10 "http://127.0.0.1:$port/metrics" | grep -qi '^content-type: text/plain; version=0.0.4' || fail "wrong content type"
  ok "GET /metrics answers in the text format 0.0.4"
  for want in 'alox_actors_live{type="lamp"} 3' 'alox_actors_live{type="toggle"} 3' 'alox_actors_spawned_total{type="toggle"} 5' \
              'alox_behaviours_sampled_total{type="pinger"}' 'alox_dead_letters_total{reason="actor stopped"} 1' \
              '# TYPE alox_worker_behaviours_total counter' 'alox_worker_busy_seconds_total{worker="1"}'; do
    grep -qF -- "$want" metrics.out || fail "the metrics lack '$want'"
  done
  ok "the metrics carry the actor types, behaviours, workers and dead letters"
  bad=$(grep -v '^#' metrics.out | grep -Ev '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z_]+="[^"]*"\})? [0-9.eE+-]+$' || true)
  [ -z "$bad" ] || fail "lines not in the exposition format: $bad"
  ok "every sample line is NAME{LABEL=\"VALUE\"} NUMBER"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port/nope")
  [ "$code" = 404 ] || fail "GET /nope answered $code"
  ok "another path is 404"
  set +e
  timeout 20 "$observed" --alox-metrics "tcp://127.0.0.1:$port" chain >busy.out 2>busy.err; rc=$?
  timeout 20 "$observed" --alox-metrics "udp://127.0.0.1:1" chain >bad.out 2>bad.err; rc2=$?
  set -e
  [ $rc -eq 2 ] && grep -q -- "--alox-metrics tcp://127.0.0.1:$port: cannot listen there" busy.err || fail "a port in use: rc $rc, $(cat busy.err)"
  [ $rc2 -eq 2 ] && grep -q -- "--alox-metrics=udp://127.0.0.1:1 is not an endpoint" bad.err || fail "a bad endpoint: rc $rc2, $(cat bad.err)"
  ok "a port in use and a bad endpoint are refused at start"
  stop_observed
  ;;
metrics_slow_client)
  # One thread serves the metrics and alox top: a client that trickles its
  # request (a byte now and then, each within the per-read timeout) must not
  # hold it longer than the request deadline.
  need curl
  port=$("$free_port") || fail "no free port"
  start_observed --alox-metrics "tcp://127.0.0.1:$port"
  exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to the metrics port"
  ( for _ in $(seq 60); do printf 'G' >&3 || exit 0; sleep 0.5; done ) 2>/dev/null &
  pids+=("$!")
  sleep 0.3
  start_s=$(date +%s.%N)
  curl -sf --max-time 20 "http://127.0.0.1:$port/metrics" >metrics.out 2>curl.err || fail "curl /metrics failed behind a slow client"
  took=$(awk -v a="$start_s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  awk -v t="$took" 'BEGIN { exit !(t < 5) }' || fail "/metrics took ${took}s behind a client trickling its request"
  timeout 20 "$alox" top --once "$pid" >once.out 2>top.err || fail "alox top --once behind a slow metrics client"
  ok "a client trickling its request holds neither /metrics (${took}s) nor alox top"
  exec 3>&-
  stop_observed
  ;;
other_user)
  # No other user may connect: the directory is 0700 and the socket 0600,
  # and the server checks the client's uid as well. Run as root, connect
  # as nobody; then open each door in turn and see the next one hold.
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root, to run a client as the user nobody (setpriv)"; exit 77; }
  need setpriv
  nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
  start_observed
  sock=$(ls /run/user/0/alox/"$pid".sock /tmp/alox-0/"$pid".sock 2>/dev/null | head -1)
  [ -S "$sock" ] || fail "no socket for $pid"
  dir=$(dirname "$sock")
  [ "$(stat -c '%a %u' "$dir")" = "700 0" ] || fail "$dir is $(stat -c '%a %u' "$dir"), not 700 root's"
  [ "$(stat -c '%a %u' "$sock")" = "600 0" ] || fail "$sock is $(stat -c '%a %u' "$sock"), not 600 root's"
  ok "$dir is mode 700 and $sock mode 600, both root's"
  set +e
  nobody "$alox" top --json "$pid" >nobody.out 2>nobody.err; rc=$?
  set -e
  [ $rc -eq 1 ] && grep -q "belongs to another user" nobody.err && ! grep -q format nobody.out || fail "alox top as nobody: rc $rc, $(cat nobody.err)"
  ok "alox top as nobody is refused: $(cat nobody.err)"
  # Connect as nobody straight to the socket, asking for a snapshot.
  try_connect() { set +e; nobody "$alox" top --json --socket "$sock" >conn.out 2>conn.err; rc=$?; set -e; }
  try_connect
  [ $rc -ne 0 ] && ! grep -q format conn.out || fail "nobody connected to $sock (rc $rc)"
  ok "nobody cannot reach the socket: $(cat conn.err)"
  restore_dir=$dir
  chmod 711 "$dir"
  try_connect
  [ $rc -ne 0 ] && ! grep -q format conn.out || fail "nobody connected through a 711 directory"
  ok "with the directory opened to 711, the socket's mode 600 still refuses nobody: $(cat conn.err)"
  chmod 666 "$sock"
  try_connect
  ! grep -q format conn.out || fail "nobody read a snapshot through a 666 socket"
  ok "with the socket opened to 666 too, the server's credential check answers nothing: $(cat conn.err)"
  chmod 700 "$dir"; chmod 600 "$sock"
  "$alox" top --json --socket "$sock" | jq -e ".pid == $pid" >/dev/null || fail "--socket PATH as root"
  ok "alox top --socket PATH reads the program there"
  nobody "$alox" top >nobody-list.out 2>&1 || true
  ! grep -q "^$pid " nobody-list.out || fail "nobody's list shows root's program"
  ok "nobody's list does not show root's program"
  "$alox" top --json "$pid" | jq -e '.format == 1' >/dev/null || fail "root itself cannot read the snapshot"
  ok "its own user still can"
  stop_observed
  ;;
*) echo "unknown case $case_name"; exit 2 ;;
esac
echo "passed: $case_name"
