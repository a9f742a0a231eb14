#!/usr/bin/env bash
# Savina-style workloads: Alox beside CAF, Erlang, Go and the plain-C limit.
#
#   bench/savina/run.sh [--quick] [--runs N] [--results DIR] [--build-dir DIR]
#                       [--only W[,W...]]
#
# Installs what is missing (Debian packages, with apt-get), configures and
# builds its own Release tree (default build/savina), compiles the Erlang
# modules, runs every workload N times (default 5; systems interleaved, their
# order rotating each round), and prints the medians as a table. Writes into
# the results directory (default build/savina/results-DATE): raw.csv (every
# run), summary.csv (medians), rss.csv (peak RSS medians), memory.csv (creation workload), table.md (the
# tables), machine.txt (CPU, date, `uptime` before and after), ratios.png
# (the speed-ups, gnuplot).
#
#   --quick       small N, 1 run: a smoke test that every program builds and
#                 checks its result (the ctest savina_quick)
#   --only LIST   workloads to run: pingpong,counting,ring,forkjoin,big,skynet,
#                 remote_pingpong,remote_counting, and the parallel ones
#                 trapezoid,chameneos,fib
#   --ctest       as registered with ctest: no install, no build (the programs
#                 of --build-dir, a configured top-level build tree, are used);
#                 exit 77 (skipped) when CAF or Erlang is not installed
#
# Threads: each system as it would run on this machine: Alox its default (one
# worker per CPU), CAF scheduler.max-threads = CPUs (set explicitly: CAF 0.17
# would start max(4, CPUs)), Erlang +S CPUs, Go its default GOMAXPROCS (the
# CPUs). SAVINA_THREADS=N changes CAF's and Erlang's count (Alox:
# ALOX_THREADS, Go: GOMAXPROCS).
#
# The parallel workloads (trapezoid, chameneos, fib) run twice per round and
# system: at that thread count, and at 1 thread (ALOX_THREADS=1,
# SAVINA_THREADS=1 for CAF and the C limit, Erlang +S 1, GOMAXPROCS=1; rows
# W@1 in raw.csv). Their C limit is pool/W, a pthread pool with a lock-free
# run queue (the other workloads' C limit is the one-thread baseline/W).
# parallel.md and parallel.csv give the times and the speed-ups 1 -> N.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

quick=0 runs="" ctest=0 build="" results="" only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --runs) runs="${2:?--runs needs a number}"; shift ;;
    --runs=*) runs="${1#*=}" ;;
    --ctest) ctest=1 ;;
    --build-dir) build="${2:?--build-dir needs a directory}"; shift ;;
    --results) results="${2:?--results needs a directory}"; shift ;;
    --only) only="${2:?--only needs a list}"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -z "$runs" ] && { [ $quick = 1 ] && runs=1 || runs=5; }
case "$runs" in ''|*[!0-9]*|0) echo "run.sh: --runs must be a positive number" >&2; exit 2 ;; esac

parallel_workloads=" trapezoid chameneos fib "
# shellcheck disable=SC2206 # the list splits into its words
workloads=(pingpong counting ring forkjoin big skynet remote_pingpong remote_counting $parallel_workloads)
if [ -n "$only" ]; then
  IFS=, read -r -a workloads <<<"$only"
  for w in "${workloads[@]}"; do
    case " pingpong counting ring forkjoin big skynet remote_pingpong remote_counting $parallel_workloads " in *" $w "*) ;; *)
      echo "run.sh: unknown workload '$w'" >&2; exit 2 ;; esac
  done
fi

# Arguments per workload (positional, the same for every system) and what
# the time is divided by.
if [ $quick = 1 ]; then
  declare -A args=([pingpong]="10000" [counting]="100000" [ring]="100000 100"
                   [forkjoin]="10000" [big]="100 100" [skynet]="10000"
                   [remote_pingpong]="1000" [remote_counting]="20000"
                   [trapezoid]="100 500" [chameneos]="2000 20" [fib]="22 15")
  fj_small=1000 limit_s=300
else
  declare -A args=([pingpong]="1000000" [counting]="10000000" [ring]="10000000 100"
                   [forkjoin]="1000000" [big]="1000 1000" [skynet]="1000000"
                   [remote_pingpong]="20000" [remote_counting]="1000000"
                   [trapezoid]="10000 2000" [chameneos]="1000000 100" [fib]="40 22")
  fj_small=1000 limit_s=900
fi
declare -A unit=([pingpong]="ns/msg" [counting]="ns/msg" [ring]="ns/hop"
                 [forkjoin]="ns/actor" [big]="ns/msg" [skynet]="ns/actor"
                 [remote_pingpong]="ns/msg" [remote_counting]="ns/msg"
                 [trapezoid]="ns/piece" [chameneos]="ns/meeting" [fib]="ns/actor")
threads="${SAVINA_THREADS:-$(nproc)}"
export SAVINA_THREADS="$threads"

# ---------------------------------------------------------------------------
# 1. Install what is missing (Debian packages).
# ---------------------------------------------------------------------------
missing_packages() {
  local p out=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
  done
  echo "${out[@]:-}"
}
apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "run.sh: need root for: apt-get install $*" >&2; return 1; }
    sudo=sudo
  fi
  echo "savina: installing Debian packages: $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if [ $ctest = 0 ]; then
  . "$root/scripts/setup.sh"
  alox_setup
  missing=$(missing_packages "${ALOX_BENCH_PACKAGES[@]}" gnuplot-nox)
  # shellcheck disable=SC2086
  [ -n "$missing" ] && apt_install $missing
  command -v erlc >/dev/null || apt_install erlang-nox # erlc lives in erlang-base; just in case
fi

# ---------------------------------------------------------------------------
# 2. Build: Alox and baseline programs with CMake, CAF too, Erlang with erlc.
# ---------------------------------------------------------------------------
if [ $ctest = 0 ]; then
  build="${build:-$root/build/savina}"
  echo "savina: building in $build (Release)"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DALOX_BUILD_TESTS=OFF >/dev/null
  if ! grep -qs 'add_subdirectory(savina)' "$root/bench/CMakeLists.txt"; then
    echo "run.sh: the build tree has no 'savina' target: bench/CMakeLists.txt needs add_subdirectory(savina)" >&2
    exit 1
  fi
  cmake --build "$build" -j "$(nproc)" --target savina >/dev/null
else
  [ -n "$build" ] || { echo "run.sh: --ctest needs --build-dir" >&2; exit 2; }
fi
bin="$build/bench/savina"
ebin="$bin/erlang/ebin"

skipped=()
systems=(alox caf erlang go baseline)
have_system() { # which systems can run
  case "$1" in
    alox) [ -x "$bin/alox/pingpong" ] ;;
    caf) [ -x "$bin/caf/pingpong" ] ;;
    erlang) command -v erl >/dev/null && command -v erlc >/dev/null ;;
    go) [ -x "$bin/go/pingpong" ] ;;
    *) return 0 ;;
  esac
}
active=()
for s in "${systems[@]}"; do
  if have_system "$s"; then active+=("$s"); else
    case "$s" in
      alox) skipped+=("Alox: programs not built (the GCC plugin is off: ALOX_BUILD_PLUGIN=OFF)") ;;
      caf) skipped+=("CAF: libcaf-dev not installed when the build was configured (apt-get install libcaf-dev, then reconfigure)") ;;
      erlang) skipped+=("Erlang: erl/erlc not found (apt-get install erlang-base)") ;;
      go) skipped+=("Go: go not found when the build was configured (apt-get install golang-go, then reconfigure)") ;;
    esac
  fi
done
if have_system erlang; then
  mkdir -p "$ebin"
  erlc -o "$ebin" "$here"/erlang/*.erl
fi

# ---------------------------------------------------------------------------
# 3. Run.
# ---------------------------------------------------------------------------
stamp=$(date -u +%Y%m%d-%H%M%S)
results="${results:-$build/results-$stamp}"
mkdir -p "$results"
raw="$results/raw.csv"
echo "run,workload,system,threads,units,ns,ns_per_unit,max_rss_kb,args" >"$raw"
echo "run,workload,system,cpu_s" >"$results/cpu.csv"
log="$results/run.log"
: >"$log"
have_time=0
[ -x /usr/bin/time ] && have_time=1
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "host: $(uname -srm)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "caf: $(dpkg-query -W -f='${Version}' libcaf-dev 2>/dev/null || echo none)"
  echo "erlang: $(dpkg-query -W -f='${Version}' erlang-base 2>/dev/null || echo none)"
  echo "go: $(go version 2>/dev/null | cut -d' ' -f3- || echo none)"
  echo "gcc: $(gcc -dumpfullversion)"
  echo "threads: alox default ($(nproc) CPUs), caf $threads, erlang +S $threads, go GOMAXPROCS default, baseline 1; parallel workloads at $threads and at 1 (pool: $threads and 1)"
  echo "mode: $([ $quick = 1 ] && echo quick || echo full), runs $runs"
  echo "uptime before: $(uptime)"
} >"$results/machine.txt"

failures=0
export ERL_CRASH_DUMP="$results/erl_crash.dump"
# Erlang's remote workloads: epmd (the node name server, started by the
# first distributed node) listens on 127.0.0.1 only; stopped at the end if
# this run started it.
export ERL_EPMD_ADDRESS=127.0.0.1
epmd_was_running=0
pgrep -x epmd >/dev/null 2>&1 && epmd_was_running=1
stop_epmd() {
  if [ $epmd_was_running = 0 ] && pgrep -x epmd >/dev/null 2>&1; then
    epmd -kill >/dev/null 2>&1 || true
  fi
}
trap stop_epmd EXIT
# run_one RUN LABEL WORKLOAD SYSTEM ARGS... : one program, one CSV row
# (LABEL names the row: the workload, or forkjoin_small for the memory base).
run_one() {
  local r="$1" label="$2" w="$3" s="$4"; shift 4
  local cmd=() out rss="" line rc=0 nthreads=$threads
  # W@N: a parallel workload at N threads, whatever each system's default
  [[ $label == *@* ]] && { nthreads=${label#*@}; cmd=(env ALOX_THREADS="$nthreads" SAVINA_THREADS="$nthreads" GOMAXPROCS="$nthreads"); }
  case "$s" in
    erlang)
      cmd+=(erl -noshell +S "$nthreads" +P 4000000 -pa "$ebin")
      # The remote workloads start a second node: this one must be distributed.
      [[ $w == remote_* ]] && cmd+=(-name "savina_$$_$r@127.0.0.1" -setcookie savina
                                   -kernel inet_dist_use_interface "{127,0,0,1}")
      cmd+=(-run "savina_$w" main "$@") ;;
    alox|baseline) # two processes, through the programs of bench/remote
      if [[ $w == remote_* ]]; then cmd+=(bash "$here/remote.sh" "$s" "$w" "$build" "$@")
      elif [ "$s" = baseline ] && [[ $parallel_workloads == *" $w "* ]]; then cmd+=("$bin/pool/$w" "$@")
      else cmd+=("$bin/$s/$w" "$@"); fi ;;
    *) cmd+=("$bin/$s/$w" "$@") ;;
  esac
  local tfile="$results/.time"
  if [ $have_time = 1 ]; then
    out=$(timeout "$limit_s" /usr/bin/time -f '%M %U %S' -o "$tfile" "${cmd[@]}" 2>>"$log") || rc=$?
    rss=$(tail -n1 "$tfile" 2>/dev/null | grep -E '^[0-9]+ ' | cut -d' ' -f1 || true)
    # CPU seconds (user + system, the whole process): parallel-table.sh
    tail -n1 "$tfile" 2>/dev/null | awk -v r="$r" -v l="$label" -v s="$s" \
      'NF == 3 {printf "%s,%s,%s,%.3f\n", r, l, s, $2 + $3}' >>"$results/cpu.csv"
  else
    out=$(timeout "$limit_s" "${cmd[@]}" 2>>"$log") || rc=$?
  fi
  line=$(grep '^SAVINA ' <<<"$out" | tail -n1 || true)
  if [ $rc != 0 ] || [ -z "$line" ]; then
    echo "FAILED: $s $label $* (exit $rc; stderr in $log)" | tee -a "$log" >&2
    tail -n 5 "$log" >&2
    failures=$((failures + 1))
    echo "$r,$label,$s,,,,FAILED,$rss,$*" >>"$raw"
    return 0
  fi
  local th units ns
  th=$(grep -o 'threads=[0-9]*' <<<"$line" | cut -d= -f2)
  units=$(grep -o 'units=[0-9]*' <<<"$line" | cut -d= -f2)
  ns=$(grep -o ' ns=[0-9]*' <<<"$line" | cut -d= -f2)
  local per
  per=$(awk -v n="$ns" -v u="$units" 'BEGIN {printf "%.2f", n / u}')
  echo "$r,$label,$s,$th,$units,$ns,$per,$rss,$*" >>"$raw"
  printf '  %-11s %-8s %10s %s\n' "$label" "$s" "$per" "${unit[$w]}"
}

echo "savina: ${#active[@]} systems (${active[*]}), workloads ${workloads[*]}, $runs run(s); results in $results"
echo "savina: load before: $(uptime)"
for ((r = 1; r <= runs; r++)); do
  echo "round $r of $runs"
  n=${#active[@]}
  for w in "${workloads[@]}"; do
    # shellcheck disable=SC2206
    a=(${args[$w]})
    for ((k = 0; k < n; k++)); do
      s=${active[$(((k + r - 1) % n))]}
      [ "$s" = go ] && [[ $w == remote_* ]] && continue # Go's channels do not cross processes
      run_one "$r" "$w" "$w" "$s" "${a[@]}"
      [[ $parallel_workloads == *" $w "* ]] && run_one "$r" "$w@1" "$w" "$s" "${a[@]}"
    done
  done
  # Creation memory: the same program with few actors, to subtract what the
  # runtime itself occupies (a VM, thread stacks, pools).
  if [[ " ${workloads[*]} " == *" forkjoin "* ]] && [ $have_time = 1 ]; then
    for s in "${active[@]}"; do run_one "$r" forkjoin_small forkjoin "$s" "$fj_small"; done >/dev/null
  fi
done
rm -f "$results/.time"
echo "uptime after: $(uptime)" >>"$results/machine.txt"

# ---------------------------------------------------------------------------
# 4. Tables, CSV, chart.
# ---------------------------------------------------------------------------
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
column_of() { # workload system column -> values of successful rows
  awk -F, -v w="$1" -v s="$2" -v c="$3" '$2 == w && $3 == s && $7 != "FAILED" {print $c}' "$raw"
}
med() { column_of "$1" "$2" "$3" | median; }
fmt() { [ -z "$1" ] && { echo "-"; return; }; awk -v x="$1" 'BEGIN {printf (x >= 100 ? "%.0f" : "%.1f"), x}'; }
ratio() { # speed-up of Alox: other / alox
  { [ -z "$1" ] || [ -z "$2" ]; } && { echo "-"; return; }
  awk -v o="$1" -v a="$2" 'BEGIN {printf "%.2f×", o / a}'
}

summary="$results/summary.csv"
echo "workload,unit,alox,caf,erlang,go,baseline,alox_vs_caf,alox_vs_erlang,alox_vs_go,alox_over_limit" >"$summary"
table="$results/table.md"
{
  echo "| workload | unit | Alox | CAF | Erlang | Go | C limit | Alox/CAF | Alox/Erlang | Alox/Go | Alox ÷ C limit |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$table"
for w in "${workloads[@]}"; do
  al=$(med "$w" alox 7) ca=$(med "$w" caf 7) er=$(med "$w" erlang 7) go=$(med "$w" go 7) ba=$(med "$w" baseline 7)
  vs_caf=$(ratio "$ca" "$al") vs_erl=$(ratio "$er" "$al") vs_go=$(ratio "$go" "$al")
  over="-"; [ -n "$al" ] && [ -n "$ba" ] && over=$(awk -v a="$al" -v b="$ba" 'BEGIN {printf "%.1f", a / b}')
  echo "$w,${unit[$w]},$al,$ca,$er,$go,$ba,${vs_caf%×},${vs_erl%×},${vs_go%×},$over" >>"$summary"
  echo "| $w | ${unit[$w]} | $(fmt "$al") | $(fmt "$ca") | $(fmt "$er") | $(fmt "$go") | $(fmt "$ba") | $vs_caf | $vs_erl | $vs_go | $over |" >>"$table"
done

# Peak RSS of every workload (the whole process, /usr/bin/time's maximum
# resident set), medians, in MB: memory is part of the comparison too.
if [ $have_time = 1 ]; then
  mb() { [ -z "$1" ] && { echo "-"; return; }; awk -v k="$1" 'BEGIN {printf (k >= 102400 ? "%.0f" : "%.1f"), k / 1024}'; }
  echo "workload,alox_kb,caf_kb,erlang_kb,go_kb,baseline_kb" >"$results/rss.csv"
  {
    echo
    echo "Peak RSS of each workload (MB, medians; the whole process). Alox ÷ CAF: above 1 Alox uses more."
    echo
    echo "| workload | Alox | CAF | Erlang | Go | C limit | Alox ÷ CAF |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
  } >>"$table"
  for w in "${workloads[@]}"; do
    al=$(med "$w" alox 8) ca=$(med "$w" caf 8) er=$(med "$w" erlang 8) go=$(med "$w" go 8) ba=$(med "$w" baseline 8)
    over="-"; [ -n "$al" ] && [ -n "$ca" ] && over=$(awk -v a="$al" -v c="$ca" 'BEGIN {printf "%.2f", a / c}')
    echo "$w,$al,$ca,$er,$go,$ba" >>"$results/rss.csv"
    echo "| $w | $(mb "$al") | $(mb "$ca") | $(mb "$er") | $(mb "$go") | $(mb "$ba") | $over |" >>"$table"
  done
fi

memory="$results/memory.csv"
if [[ " ${workloads[*]} " == *" forkjoin "* ]] && [ $have_time = 1 ]; then
  n_full=${args[forkjoin]}
  echo "system,actors,peak_rss_kb,peak_rss_kb_small,actors_small,bytes_per_actor" >"$memory"
  {
    echo
    echo "Creation (forkjoin, $n_full actors alive at once): peak RSS, and bytes per actor = (peak RSS − peak RSS with $fj_small actors) / $((n_full - fj_small))"
    echo
    echo "| system | peak RSS | bytes per actor |"
    echo "|---|---:|---:|"
  } >>"$table"
  for s in "${active[@]}"; do
    big_kb=$(med forkjoin "$s" 8) small_kb=$(med forkjoin_small "$s" 8)
    [ -z "$big_kb" ] && continue
    per=""
    [ -n "$small_kb" ] && per=$(awk -v b="$big_kb" -v s="$small_kb" -v n="$n_full" -v m="$fj_small" \
                                  'BEGIN {printf "%.0f", (b - s) * 1024 / (n - m)}')
    echo "$s,$n_full,$big_kb,$small_kb,$fj_small,$per" >>"$memory"
    name=$s; case $s in alox) name=Alox ;; caf) name=CAF ;; erlang) name=Erlang ;; go) name=Go ;; baseline) name="C limit" ;; esac
    printf '| %s | %s MB | %s |\n' "$name" "$(awk -v k="$big_kb" 'BEGIN {printf "%.0f", k / 1024}')" "${per:--}" >>"$table"
  done
fi
{
  echo
  echo "Medians of $runs run(s); Alox/CAF, Alox/Erlang and Alox/Go are speed-ups (their time ÷ Alox's: above 1 Alox is faster);"
  echo "Alox ÷ C limit is how many times the C limit Alox takes (the one-thread bare-queue baseline; for"
  echo "trapezoid, chameneos and fib the pthread pool at the same thread count)."
} >>"$table"
bash "$here/parallel-table.sh" "$raw" "$results" "$threads" "${workloads[@]}" >>"$table"

echo
cat "$table"
echo
echo "machine: $(sed -n 's/^cpu: //p' "$results/machine.txt")"
echo "load: $(sed -n 's/^uptime before: //p' "$results/machine.txt" | sed 's/.*load/load/') (before), $(sed -n 's/^uptime after: //p' "$results/machine.txt" | sed 's/.*load/load/') (after)"

if command -v gnuplot >/dev/null; then
  awk -F, 'NR > 1 && $3 != "" {print $1, ($8 == "" ? 0 : $8), ($9 == "" ? 0 : $9), ($10 == "" ? 0 : $10)}' "$summary" >"$results/ratios.dat"
  if [ -s "$results/ratios.dat" ]; then
    gnuplot -e "data='$results/ratios.dat'; out='$results/ratios.png'; title='Alox speed-up, $(date -u +%Y-%m-%d), $(nproc) cores'" \
            "$here/ratios.gnuplot" 2>>"$log" && echo "chart: $results/ratios.png"
  fi
else
  echo "(gnuplot not installed: no chart)"
fi
echo "raw results: $raw"

if [ $failures -gt 0 ]; then
  echo "savina: $failures program run(s) FAILED (see above and $log)" >&2
  exit 1
fi
if [ ${#skipped[@]} -gt 0 ]; then
  for m in "${skipped[@]}"; do echo "SKIPPED: $m"; done
  [ $ctest = 1 ] && exit 77
fi
exit 0
