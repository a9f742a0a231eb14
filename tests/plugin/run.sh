#!/usr/bin/env bash
# Driver of the front-end tests (tests/plugin/CMakeLists.txt registers one
# ctest test per call): the same sources run over both front ends. Bash
# only: no Python on a fresh Debian.
#
#   run.sh gcc   GCC       PLUGIN INCLUDE RUNTIME WORKDIR MODE ARGS...
#   run.sh clang ALOXCLANG CLANG  INCLUDE RUNTIME WORKDIR MODE ARGS...
#
# FRONTEND gcc: CC is gcc and every compile gets -fplugin=PLUGIN.
# FRONTEND clang: CC is alox-clang (a drop-in compiler, no extra flag) and
# the third argument is the plain clang it is compared with.
#
# MODE
#   positive NAME "FLAGS" SRC...  compile each SRC with the plugin, link with the
#                                 runtime, run; the program asserts its results
#                                 (plain:SRC: compiled by the plain compiler)
#   negative SRC                  must fail (exit 1) with exactly the errors its
#                                 `// expect LINE:COL: MESSAGE` lines list (or
#                                 `// expect @gcc ...`, `@clang`: for that front end,
#                                 where the compilers name a type differently), each
#                                 the message of a rule its `// rule: NAME...` names
#   rules NEGATIVE_DIR            every rule of plugin/common's table has a case there
#   corpus SRC                    malformed: must fail with exit 1, never an ICE
#   transparency SRC              identical objects with and without the plugin
#   noplugin SRC                  alox.h without the plugin stops with #error
#   preprocess SRC                -E and -save-temps see __ALOX__ and build
#   pch HEADER SRC...             a precompiled HEADER used by every SRC (gcc only)
#   diagnostics SRC "FLAGS"       warnings identical to the plain compiler's on SRC
#   tsan clean|race SRC           -fsanitize=thread against the uninstrumented runtime:
#                                 no report for a race-free SRC, the race of a racy one
#   pkgconfig CMAKE BUILD SRC     install BUILD (DESTDIR), build SRC with pkg-config's
#                                 flags only: exact --cflags, --libs and --static --libs
#   mixed NAME "FLAGS" ALOXCLANG FE:SRC...
#                                 (FRONTEND gcc) each SRC compiled by the front
#                                 end FE (gcc, clang, or plain: none), linked, run:
#                                 both front ends emit one ABI
set -u

FRONTEND=$1 CC=$2 PLUGIN=$3 INCLUDE=$4 RUNTIME=$5 WORKDIR=$6 MODE=$7
shift 7
export LC_ALL=C # plain quotes in diagnostics, stable messages
RULES=${ALOX_RULES:-} # plugin/common's alox-rules (the rule table), set by CMakeLists.txt
case $FRONTEND in
gcc) FE=(-fplugin="$PLUGIN") PLAIN=$CC ;;
clang) FE=() PLAIN=$PLUGIN ;;
*) echo "FAIL: unknown front end $FRONTEND" >&2 && exit 1 ;;
esac

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

no_ice() { # FILE
    if grep -q "internal compiler error" "$1"; then
        cat "$1" >&2
        fail "internal compiler error"
    fi
}

positive() {
    local name=$1 flags=$2
    shift 2
    local dir=$WORKDIR/$name objs=() f
    read -ra flags <<<"$flags"
    rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"
    for src in "$@"; do
        if [ "${src#plain:}" != "$src" ]; then # a unit built without any front end
            src=${src#plain:}
            f=$dir/$(basename "${src%.c}").o
            "$PLAIN" "${flags[@]}" -Wall -Wextra -Werror -c "$src" -o "$f" 2>"$dir/compile.log"
        else
            f=$dir/$(basename "${src%.c}").o
            "$CC" "${flags[@]}" -Wall -Wextra -Werror "${FE[@]}" -I"$INCLUDE" \
                -c "$src" -o "$f" 2>"$dir/compile.log"
        fi
        local rc=$?
        no_ice "$dir/compile.log"
        [ $rc -eq 0 ] || { cat "$dir/compile.log" >&2; fail "compiling $src"; }
        objs+=("$f")
    done
    "$CC" "${flags[@]}" "${FE[@]}" "${objs[@]}" "$RUNTIME" \
        -Wl,-rpath,"$(dirname "$RUNTIME")" -pthread -o "$dir/prog" 2>"$dir/link.log"
    local rc=$?
    no_ice "$dir/link.log"
    [ $rc -eq 0 ] || { cat "$dir/link.log" >&2; fail "linking $name"; }
    timeout 120 "$dir/prog" || fail "$name $flags exited with $?"
}

# MESSAGE RULE...: the message is one of the rules' (plugin/common's table)
from_rules() {
    local message=$1 rule
    shift
    for rule in "$@"; do
        printf '%s\n' "$message" | grep -qE -- "$("$RULES" --regex "$rule")" && return 0
    done
    return 1
}

negative() {
    local src=$1
    local log=$WORKDIR/$FRONTEND-$(basename "$src").log
    mkdir -p "$WORKDIR"
    "$CC" -c "${FE[@]}" -I"$INCLUDE" "$src" -o /dev/null 2>"$log"
    local rc=$?
    no_ice "$log"
    [ $rc -eq 1 ] || { cat "$log" >&2; fail "exit code $rc, want 1"; }
    local want=0 line rules
    rules=$(sed -n 's|^// rule: ||p' "$src")
    [ -n "$rules" ] || fail "$src names no rule ('// rule: NAME...')"
    while IFS= read -r line; do
        want=$((want + 1))
        local expected="$src:${line%%: *}: error: ${line#*: }"
        grep -qxF -- "$expected" "$log" || { cat "$log" >&2; fail "missing: $expected"; }
        from_rules "${line#*: }" $rules || fail "'${line#*: }' is not the message of rule(s) $rules"
    done < <(sed -n "s|^// expect \(@$FRONTEND \)\{0,1\}\([0-9].*\)$|\2|p" "$src")
    [ $want -gt 0 ] || fail "$src has no '// expect' line"
    local got
    got=$(grep -c ": error: " "$log")
    [ "$got" -eq "$want" ] || { cat "$log" >&2; fail "$got errors, want $want"; }
}

corpus() {
    local src=$1
    local log=$WORKDIR/$FRONTEND-$(basename "$src").log
    mkdir -p "$WORKDIR"
    timeout 120 "$CC" -c "${FE[@]}" -I"$INCLUDE" "$src" -o /dev/null 2>"$log"
    local rc=$?
    no_ice "$log"
    [ $rc -eq 1 ] || { cat "$log" >&2; fail "exit code $rc, want 1"; }
}

transparency() {
    local src=$1
    local dir=$WORKDIR/$FRONTEND-$(basename "${src%.c}")
    mkdir -p "$dir"
    for flags in "-O0" "-O2" "-O3 -fPIC" "-Os -g -gno-record-gcc-switches"; do
        read -ra f <<<"$flags"
        "$PLAIN" "${f[@]}" -c "$src" -o "$dir/plain.o" || fail "plain build of $src"
        "$CC" "${f[@]}" "${FE[@]}" -c "$src" -o "$dir/plugin.o" 2>"$dir/log" ||
            { cat "$dir/log" >&2; fail "plugin build of $src"; }
        [ ! -s "$dir/log" ] || { cat "$dir/log" >&2; fail "the plugin added diagnostics"; }
        objdump -d "$dir/plain.o" | tail -n +3 >"$dir/plain.dis"
        objdump -d "$dir/plugin.o" | tail -n +3 >"$dir/plugin.dis"
        diff -u "$dir/plain.dis" "$dir/plugin.dis" || fail "objdump -d differs ($flags)"
        cmp "$dir/plain.o" "$dir/plugin.o" || fail "objects differ ($flags)"
    done
}

pch() { # HEADER SRC...: the header precompiled, then used by every SRC
    local header=$1 dir=$WORKDIR/pch
    shift
    rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"
    cp "$header" "$@" "$dir"/ && cd "$dir" || fail "cannot copy sources"
    local h
    h=$(basename "$header")
    "$CC" -O2 -fplugin="$PLUGIN" -I"$INCLUDE" -x c-header "$h" -o "$h.gch" || fail "precompiling $h"
    rm "$h" # only the .gch is left to include
    local objs=()
    for src in "$@"; do
        src=$(basename "$src")
        "$CC" -O2 -Winvalid-pch -Werror -H -fplugin="$PLUGIN" -I"$INCLUDE" -c "$src" 2>"$src.log" ||
            { cat "$src.log" >&2; fail "compiling $src with $h.gch"; }
        grep -q "^! $h.gch" "$src.log" || fail "$src did not use $h.gch"
        objs+=("${src%.c}.o")
    done
    "$CC" "${objs[@]}" "$RUNTIME" -Wl,-rpath,"$(dirname "$RUNTIME")" -pthread -o prog || fail "link"
    timeout 120 ./prog || fail "program exited with $?"
}

noplugin() { # the plain compiler: gcc without the plugin, clang without alox-clang
    local src=$1 log=$WORKDIR/$FRONTEND-noplugin.log want
    mkdir -p "$WORKDIR"
    "$PLAIN" -c -I"$INCLUDE" "$src" -o /dev/null 2>"$log" && fail "compiled without the front end"
    if [ "$FRONTEND" = gcc ]; then
        want="error: #error \"alox.h needs the Alox compiler plugin: add -fplugin=alox"
    else
        want="error: \"alox.h needs the Alox front end: build with CC=alox-clang"
    fi
    grep -qF "$want" "$log" || { cat "$log" >&2; fail "no #error naming the front end"; }
}

preprocess() {
    local src=$1 dir=$WORKDIR/$FRONTEND-preprocess
    rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || fail "cannot create $dir"
    "$CC" -E -dM "${FE[@]}" -I"$INCLUDE" "$src" | grep -qx "#define __ALOX__ 1" ||
        fail "-E does not define __ALOX__"
    "$PLAIN" -E -dM -I"$INCLUDE" -x c /dev/null | grep -q __ALOX__ && fail "__ALOX__ without plugin"
    "$CC" -save-temps -Wall -Werror "${FE[@]}" -I"$INCLUDE" -c "$src" -o x.o ||
        fail "-save-temps build"
    nm x.o | grep -q "__alox_behaviour_" || fail "-save-temps lost the descriptors"
}

diagnostics() { # SRC FLAGS: the front end's warnings are the plain compiler's, word for word
    local src=$1 dir flags
    read -ra flags <<<"$2"
    # One directory per flag set: the O0 and O2 cases run at once under ctest -j
    dir=$WORKDIR/$FRONTEND-diagnostics-$(basename "${1%.c}")-${flags[0]#-}
    mkdir -p "$dir" && cd "$(dirname "$src")" || fail "cannot create $dir"
    src=$(basename "$src") # relative, as a user's build names it
    "$CC" "${flags[@]}" "${FE[@]}" -I"$INCLUDE" -c "$src" -o "$dir/fe.o" 2>"$dir/fe.log" ||
        { cat "$dir/fe.log" >&2; fail "the front end failed"; }
    no_ice "$dir/fe.log"
    # alox.h's annotations without a front end: plain (unknown) attributes
    "$PLAIN" "${flags[@]}" -D__ALOX__=1 -Wno-attributes -I"$INCLUDE" -c "$src" -o "$dir/plain.o" \
        2>"$dir/plain.log" || { cat "$dir/plain.log" >&2; fail "the plain compiler failed"; }
    grep -q "warning:" "$dir/plain.log" || fail "$src gives no warning to compare"
    diff -u "$dir/plain.log" "$dir/fe.log" >&2 || fail "diagnostics differ from the plain compiler's"
}

tsan() { # EXPECT SRC: built with -fsanitize=thread against the plain (uninstrumented)
    # runtime; EXPECT clean: no report; race: the race in racy_write is reported
    local expect=$1 src=$2 dir=$WORKDIR/$FRONTEND-tsan-$1
    rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"
    "$CC" -O1 -g -fsanitize=thread -Wall -Wextra -Werror "${FE[@]}" -I"$INCLUDE" "$src" \
        "$RUNTIME" -Wl,-rpath,"$(dirname "$RUNTIME")" -pthread -o "$dir/prog" 2>"$dir/build.log" ||
        { cat "$dir/build.log" >&2; fail "building $src with -fsanitize=thread"; }
    TSAN_OPTIONS="halt_on_error=0 exitcode=66" timeout 120 "$dir/prog" >"$dir/out" 2>&1
    local rc=$?
    if [ "$expect" = clean ]; then
        [ $rc -eq 0 ] && ! grep -q ThreadSanitizer "$dir/out" ||
            { cat "$dir/out" >&2; fail "a report (or exit $rc) for a program without a race"; }
    else
        grep -q "WARNING: ThreadSanitizer: data race" "$dir/out" && grep -q racy_write "$dir/out" ||
            { cat "$dir/out" >&2; fail "the race in racy_write was not reported (exit $rc)"; }
    fi
}

in_root() { # ROOT PATH: PATH under the sysroot (pkgconf prefixes variables, pkg-config not)
    case $2 in "$1"/*) echo "$2" ;; *) echo "$1$2" ;; esac
}

pkgconfig() { # CMAKE BUILD SRC: an installed Alox used through pkg-config alone
    local cmake=$1 build=$2 src=$3 dir=$WORKDIR/$FRONTEND-pkgconfig
    rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"
    DESTDIR=$dir/root "$cmake" --install "$build" >"$dir/install.log" 2>&1 ||
        { cat "$dir/install.log" >&2; fail "cmake --install"; }
    local pc plugin_dir
    pc=$(find "$dir/root" -name alox.pc) && [ -n "$pc" ] || fail "no alox.pc installed"
    plugin_dir=$(dirname "$(find "$dir/root" -name alox.so | head -1)")
    export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dir/root
    local cflags want
    cflags=$(pkg-config --cflags alox) || fail "pkg-config --cflags alox"
    want="-I$(in_root "$dir/root" "$(pkg-config --variable=includedir alox)") -fplugin=alox"
    [ "$(echo $cflags)" = "$want" ] || fail "pkg-config --cflags alox is '$cflags', want '$want'"
    local fe=() # -fplugin=alox from the cflags finds the installed plugin
    [ "$FRONTEND" = gcc ] && fe=(-iplugindir="$plugin_dir")
    read -ra cflags <<<"$cflags"
    "$CC" -O2 -Wall -Wextra -Werror "${fe[@]}" "${cflags[@]}" -c "$src" -o "$dir/prog.o" ||
        fail "compiling with pkg-config --cflags alox"
    local libs libdir
    libdir=$(in_root "$dir/root" "$(pkg-config --variable=libdir alox)")
    read -ra libs <<<"$(pkg-config --libs alox)"
    "$CC" "$dir/prog.o" "${libs[@]}" -Wl,-rpath,"$libdir" -o "$dir/prog" ||
        fail "linking with pkg-config --libs alox"
    "$dir/prog" >/dev/null || fail "the program linked with libalox.so failed"
    # libcurl and Jansson are dlopened by --alox-cluster only (cluster_libs.h):
    # a program without it neither loads them nor has a symbol of theirs left.
    ! ldd "$dir/prog" | grep -E 'libcurl|libjansson' ||
        fail "a program linked with libalox.so loads libcurl or Jansson at start-up"
    ! nm -D --undefined-only "$libdir/libalox.so" | grep -E ' (curl|json)_' ||
        fail "libalox.so calls libcurl or Jansson by name (use cluster_libs.h's tables)"
    read -ra libs <<<"$(pkg-config --static --libs alox)"
    libs=("${libs[@]/#-lalox/-l:libalox.a}") # the static library, though the shared one is there
    "$CC" "$dir/prog.o" "${libs[@]}" -o "$dir/prog-static" ||
        fail "linking libalox.a with pkg-config --static --libs alox"
    ! ldd "$dir/prog-static" | grep -q libalox || fail "prog-static is not linked statically to libalox"
    "$dir/prog-static" >/dev/null || fail "the program linked with libalox.a failed"
    ! ldd "$dir/prog-static" | grep -E 'libcurl|libjansson' ||
        fail "a program linked with libalox.a loads libcurl or Jansson at start-up"
}

rules() { # DIR: one table of cases (DIR/*.c) covers the one table of rules
    local dir=$1 rule missing=0
    for rule in $("$RULES" --list); do
        grep -qE -- "^// rule: (.* )?$rule( |\$)" "$dir"/*.c ||
            { echo "rule $rule has no case in $dir" >&2; missing=1; }
    done
    [ $missing -eq 0 ] || fail "rules without a case"
}

mixed() { # NAME FLAGS ALOXCLANG FE:SRC...: units from both front ends, one program
    local name=$1 flags=$2 aloxclang=$3
    shift 3
    local dir=$WORKDIR/mixed-$name objs=() spec fe src f
    read -ra flags <<<"$flags"
    rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"
    for spec in "$@"; do
        fe=${spec%%:*} src=${spec#*:}
        f=$dir/$fe-$(basename "${src%.c}").o
        if [ "$fe" = gcc ]; then
            "$CC" "${flags[@]}" -Wall -Wextra -Werror -fplugin="$PLUGIN" -I"$INCLUDE" -c "$src" -o "$f"
        elif [ "$fe" = plain ]; then # no front end at all
            "$CC" "${flags[@]}" -Wall -Wextra -Werror -c "$src" -o "$f"
        else
            "$aloxclang" "${flags[@]}" -Wall -Wextra -Werror -I"$INCLUDE" -c "$src" -o "$f"
        fi || fail "compiling $src with $fe"
        objs+=("$f")
    done
    "$CC" "${flags[@]}" "${objs[@]}" "$RUNTIME" -Wl,-rpath,"$(dirname "$RUNTIME")" -pthread \
        -o "$dir/prog" || fail "linking $name"
    timeout 120 "$dir/prog" || fail "$name exited with $?"
}

case $MODE in
positive | negative | corpus | transparency | noplugin | preprocess | pch | mixed | diagnostics | \
    pkgconfig | rules | tsan) "$MODE" "$@" ;;
*) fail "unknown mode $MODE" ;;
esac
echo "ok"
