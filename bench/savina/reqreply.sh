#!/usr/bin/env bash
# Request-reply round trips (futures, issue 19): Alox's alox_then beside
# CAF's request().then and Erlang's gen_server:call, and Alox's one-way
# send (pingpong) for the bound the issue sets: a round trip costs at most
# 2 x (one-way send + the reply's send) = 4 x pingpong's ns/msg.
#
#   bench/savina/reqreply.sh [--runs N] [--n ROUND_TRIPS] [--build-dir DIR]
#
# Uses the programs of a configured, built tree (default build/savina, as
# run.sh makes it: `cmake --build DIR --target savina`); compiles the Erlang
# module with erlc. Runs are interleaved (systems rotate each round) and
# the table shows medians, in ns per round trip (pingpong: ns per message).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=5 n=1000000 build="$root/build/savina"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift ;;
    --n) n=$2; shift ;;
    --build-dir) build=$2; shift ;;
    *) echo "reqreply.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
bin="$build/bench/savina"
threads="${SAVINA_THREADS:-$(nproc)}"
export SAVINA_THREADS="$threads"
ebin=$(mktemp -d)
trap 'rm -rf "$ebin"' EXIT
have_erl=0
if command -v erlc >/dev/null && erlc -I "$here/erlang" -o "$ebin" "$here/erlang/savina_reqreply.erl"; then
  have_erl=1
fi

systems=(alox_pingpong alox alox_timeout caf erlang)
declare -A samples
one() { # one SYSTEM: prints ns per unit
  local line
  case "$1" in
    alox_pingpong) line=$("$bin/alox/pingpong" "$n") ;;
    alox) line=$("$bin/alox/reqreply" "$n") ;;
    alox_timeout) line=$("$bin/alox/reqreply" "$n" 1000) ;;
    caf) [ -x "$bin/caf/reqreply" ] || return 1; line=$("$bin/caf/reqreply" "$n") ;;
    erlang) [ $have_erl = 1 ] || return 1
            line=$(erl -noshell +S "$threads" -pa "$ebin" -run savina_reqreply main "$n") ;;
  esac
  local units ns
  units=$(sed -n 's/.* units=\([0-9]*\) .*/\1/p' <<<"$line")
  ns=$(sed -n 's/.* ns=\([0-9]*\) .*/\1/p' <<<"$line")
  [ -n "$units" ] && [ -n "$ns" ] || { echo "reqreply.sh: $1 printed no result: $line" >&2; return 1; }
  awk -v ns="$ns" -v u="$units" 'BEGIN { printf "%.1f", ns / u }'
}
for r in $(seq "$runs"); do
  for i in "${!systems[@]}"; do
    s=${systems[$(( (i + r) % ${#systems[@]} ))]}
    if v=$(one "$s"); then samples[$s]+="$v "; fi
  done
done
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
echo "request-reply, $n round trips, $threads threads, median of $runs (load: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "| system | ns per round trip |"
echo "| --- | --- |"
for s in "${systems[@]}"; do
  m=$(median "${samples[$s]:-}")
  case "$s" in
    alox_pingpong) label="Alox one-way send (pingpong, ns/msg)" one_way=$m ;;
    alox) label="Alox alox_then" alox=$m ;;
    alox_timeout) label="Alox alox_then, 1 s timeout armed" ;;
    caf) label="CAF request().then" ;;
    erlang) label="Erlang gen_server:call" ;;
  esac
  echo "| $label | ${m:-n/a} |"
done
if [ -n "${one_way:-}" ] && [ -n "${alox:-}" ]; then
  awk -v rt="$alox" -v ow="$one_way" 'BEGIN {
    printf "round trip / (one-way send + reply send) = %.2f (bound: 2.00) -> %s\n", rt / (2 * ow),
           rt <= 4 * ow ? "within" : "OVER" }'
fi
