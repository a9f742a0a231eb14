#!/usr/bin/env bash
# Keeps the runtime's layering true (docs/ARCHITECTURE.md, "Layers").
#
#   scripts/check-layers.sh [ROOT]           check every runtime/ file's includes
#   scripts/check-layers.sh --cycles [ROOT]  count include cycles between files
#
# A file in runtime/LAYER/ may include headers of its own layer and of the
# layers listed for it below, and <alox.h> / <alox/abi.h>; nothing else of
# the project. Only the layers that talk to ZeroMQ may include <zmq.h>.
# Each violation is printed as FILE:LINE with the include and the rule, and
# the exit status is 1. ROOT defaults to the repository this script is in.
#
# --cycles treats a .c and its .h as one module, follows quoted includes,
# and prints every group of modules that include each other in a circle
# (strongly connected components), marking those that span layers.
set -euo pipefail

cycles=0
if [ "${1:-}" = "--cycles" ]; then cycles=1; shift; fi
root=$(cd "${1:-$(dirname "$0")/..}" && pwd)
runtime="$root/runtime"
[ -d "$runtime" ] || { echo "check-layers: no runtime/ under $root" >&2; exit 2; }

# Layer -> the layers it may include (besides itself), lowest first.
declare -A allowed=(
  [support]=""
  [core]="support"
  [tcp]="support core"
  [wire]="support"
  [security]="support"
  [net]="support core wire security"
  [observe]="support core wire security net"
  [cluster]="support core wire security net"
  [init]="support core wire security net tcp observe cluster"
)
# Layers that may include these system headers.
declare -A system_owner=(
  ["zmq.h"]="security net"
  ["sodium.h"]="security net cluster"
  ["curl/curl.h"]="cluster"
  ["jansson.h"]="cluster"
)

# Resolves a quoted include of FILE to a path relative to runtime/ (as the
# compiler would: the file's own folder, then runtime/), or "include:NAME"
# for the public headers, or "missing:NAME".
resolve() {
  local file=$1 name=$2 dir
  dir=$(dirname "$file")
  if [ "$dir" = . ] && [ -f "$runtime/$name" ]; then echo "$name"
  elif [ -f "$runtime/$dir/$name" ]; then echo "$dir/$name"
  elif [ -f "$runtime/$name" ]; then echo "$name"
  elif [ -f "$root/include/$name" ]; then echo "include:$name"
  else echo "missing:$name"; fi
}

layer_of() { case "$1" in */*) echo "${1%%/*}" ;; *) echo "" ;; esac; }

files=$(cd "$runtime" && find . -name '*.[ch]' | sed 's|^\./||' | sort)

if [ $cycles -eq 1 ]; then
  # Edges "module module" for awk's Tarjan below.
  edges=$(for f in $files; do  # "from to" per include
    { grep '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$runtime/$f" || true; } | sed 's/.*"\(.*\)".*/\1/' |
      while read -r name; do
        to=$(resolve "$f" "$name")
        case "$to" in include:*|missing:*) continue ;; esac
        echo "${f%.*} ${to%.*}"
      done
  done | sort -u)
  echo "$edges" | awk '
    NF == 2 { if ($1 != $2) { adj[$1] = adj[$1] " " $2 }; nodes[$1]; nodes[$2] }
    function layer(m) { return index(m, "/") ? substr(m, 1, index(m, "/") - 1) : "(none)" }
    function strong(v,   list, n, i, w, comp, size, layers, seen) {
      idx[v] = low[v] = ++counter; stack[++top] = v; on[v] = 1
      n = split(adj[v], list, " ")
      for (i = 1; i <= n; i++) {
        w = list[i]
        if (!(w in idx)) { strong(w); if (low[w] < low[v]) low[v] = low[w] }
        else if (on[w] && idx[w] < low[v]) low[v] = idx[w]
      }
      if (low[v] == idx[v]) {
        comp = ""; size = 0; layers = 0; delete seen
        do { w = stack[top--]; on[w] = 0; comp = comp " " w; size++
             if (!(layer(w) in seen)) { seen[layer(w)]; layers++ } } while (w != v)
        if (size > 1) {
          found++; if (layers > 1) crossing++
          printf "cycle of %d modules%s:%s\n", size, (layers > 1 ? " across layers" : ""), comp
        }
      }
    }
    END {
      for (v in nodes) if (!(v in idx)) strong(v)
      printf "%d include cycle(s), %d of them across layers\n", found + 0, crossing + 0
    }'
  exit 0
fi

status=0
complain() { echo "$1"; status=1; }
for f in $files; do
  layer=$(layer_of "$f")
  if [ -z "$layer" ] || [ -z "${allowed[$layer]+set}" ]; then
    complain "runtime/$f: not in a layer folder (one of: ${!allowed[*]}); see docs/ARCHITECTURE.md"
    continue
  fi
  while IFS=: read -r line text; do
    if [[ $text =~ \#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]]; then
      name=${BASH_REMATCH[1]}
      to=$(resolve "$f" "$name")
      case "$to" in
        include:*) continue ;;
        missing:*) complain "runtime/$f:$line: includes \"$name\", which is not in runtime/ or include/"; continue ;;
      esac
      target=$(layer_of "$to")
      [ "$target" = "$layer" ] && continue
      case " ${allowed[$layer]} " in
        *" $target "*) ;;
        *) complain "runtime/$f:$line: includes \"$name\" of layer $target: $layer may include only ${allowed[$layer]:-its own headers}${allowed[$layer]:+ and itself}" ;;
      esac
    elif [[ $text =~ \#[[:space:]]*include[[:space:]]*\<([^\>]+)\> ]]; then
      name=${BASH_REMATCH[1]}
      owners=${system_owner[$name]:-}
      [ -z "$owners" ] && continue
      case " $owners " in
        *" $layer "*) ;;
        *) complain "runtime/$f:$line: includes <$name>: only the layers $owners may use it" ;;
      esac
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include' "$runtime/$f" || true)
done
[ $status -eq 0 ] && echo "check-layers: $(echo "$files" | wc -l) runtime files, every include within its layer or below"
exit $status
