#!/usr/bin/env bash
# Transparency on real projects (issue 4, item 7): well-known C projects, taken
# from Debian's archive as upstream sources, build with -fplugin=alox in their
# CFLAGS, produce the same binaries as a plain build, and pass their own tests.
# Bash only: no Python on a fresh Debian.
#
#   run.sh [--full] [--only NAME[,NAME...]] [--keep] [--fetch-only] PLUGIN
#
#   quick set (default): zlib, cjson, jansson, lua5.4      a few minutes on 2 cores
#   --full             : the quick set plus sqlite3 (the 250k-line amalgamation,
#                        its veryquick Tcl suite, fuzzcheck, sessionfuzz, srcck1)
#   --only zlib,lua    : just these projects (zlib cjson jansson lua sqlite)
#   --keep             : keep the build trees ($DIR/build/NAME, the plugin build)
#   --fetch-only       : only fetch and unpack the sources into $DIR/src/NAME
#                        (bench/compile_time/run.sh uses this)
#
# For each project:
#   1. fetch the source package with `apt-get source` (cached; a deb-src entry
#      mirroring the machine's Debian deb entries is added when none exists) and
#      unpack it without Debian's patches (pure upstream);
#   2. build it twice in the same directory (so no path can differ): plain, then
#      with -fplugin=PLUGIN added to its CFLAGS. Both use
#      -g -gno-record-gcc-switches, because -g alone records the command line
#      (with -fplugin) in DW_AT_producer;
#   3. compare every ELF file and archive the two builds produced (objects,
#      libraries, executables, test programs): byte for byte (cmp), and the
#      compiler diagnostics of the two builds;
#   4. run the project's own test suite on the plugin build.
# On zlib it also builds with plain `-g` (switches recorded) and checks that the
# only difference is the recorded command line: objects identical after
# `strip -g`, and the DW_AT_producer strings differ by exactly the -fplugin switch.
# (Not run here, checked by hand on Lua: with -flto the objects also differ, in
# .gnu.lto_.opts, which records the options (-fplugin too), and in the random
# suffix of the LTO section names, which differs between two plain builds unless
# -frandom-seed is given; the linked executables are identical.)
#
# Environment:
#   ALOX_TRANSPARENCY_DIR    work directory (default: ./transparency-work)
#   ALOX_TRANSPARENCY_CACHE  downloaded source packages (default: $DIR/sources)
#   JOBS                     parallel make jobs (default: 2)
#   CC                       compiler (default: gcc)
#   ALOX_TEST_USER           unprivileged user for sqlite's tests when run as
#                            root (default: alox-test, created with useradd)
#
# Ends with "N passed, N failed"; exit 0 only if every check passed.
set -u
export LC_ALL=C
umask 022

FULL=0 ONLY="" KEEP=0 FETCH_ONLY=0 PLUGIN=""
while [ $# -gt 0 ]; do
    case $1 in
    --full) FULL=1 ;;
    --only) ONLY=$2; shift ;;
    --only=*) ONLY=${1#--only=} ;;
    --keep) KEEP=1 ;;
    --fetch-only) FETCH_ONLY=1 ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) PLUGIN=$1 ;;
    esac
    shift
done
[ -n "$PLUGIN" ] || { echo "usage: run.sh [--full] [--only NAMES] PLUGIN" >&2; exit 2; }
[ -f "$PLUGIN" ] || { echo "run.sh: no plugin at $PLUGIN" >&2; exit 2; }
PLUGIN=$(cd "$(dirname "$PLUGIN")" && pwd)/$(basename "$PLUGIN")

CC=${CC:-gcc}
JOBS=${JOBS:-2}
DIR=${ALOX_TRANSPARENCY_DIR:-$PWD/transparency-work}
mkdir -p "$DIR" || exit 2
DIR=$(cd "$DIR" && pwd)
CACHE=${ALOX_TRANSPARENCY_CACHE:-$DIR/sources}
mkdir -p "$CACHE" || exit 2
CACHE=$(cd "$CACHE" && pwd)
TEST_USER=${ALOX_TEST_USER:-alox-test}
BASEFLAGS="-O2 -g -gno-record-gcc-switches"
PLUGFLAG="-fplugin=$PLUGIN"

PROJECTS="zlib cjson jansson lua"
[ $FULL -eq 1 ] && PROJECTS="$PROJECTS sqlite"
[ -n "$ONLY" ] && PROJECTS=${ONLY//,/ }

PASSED=0 FAILED=0 FAILURES=()
log() { printf '[transparency %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
pass() { PASSED=$((PASSED + 1)); log "PASS: $*"; }
failed() { FAILED=$((FAILED + 1)); FAILURES+=("$*"); log "FAIL: $*"; }
die() { log "ERROR: $*"; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1; }

as_root() { # run a command as root (directly, or with sudo when available)
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n "$@"
    else log "need root for: $*"; return 1; fi
}

# ---------------------------------------------------------------- packages
source_package() { # project -> Debian source package
    case $1 in
    zlib) echo zlib ;; cjson) echo cjson ;; jansson) echo jansson ;;
    lua) echo lua5.4 ;; sqlite) echo sqlite3 ;;
    *) return 1 ;;
    esac
}

needed_debs() {
    local p debs="build-essential binutils dpkg-dev xz-utils bzip2 gzip"
    for p in $PROJECTS; do
        case $p in
        cjson) debs="$debs cmake" ;;
        sqlite) debs="$debs tcl8.6 tcl8.6-dev util-linux passwd" ;;
        esac
    done
    echo "$debs"
}

install_debs() {
    local missing=() d
    for d in $(needed_debs); do
        dpkg-query -W -f='${Status}\n' "$d" 2>/dev/null | grep -q "ok installed" || missing+=("$d")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >"$DIR/apt-install.log" 2>&1 ||
        { as_root apt-get update -q >>"$DIR/apt-install.log" 2>&1 &&
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                --no-install-recommends "${missing[@]}" >>"$DIR/apt-install.log" 2>&1; } ||
        { tail -20 "$DIR/apt-install.log"; die "apt-get install ${missing[*]} failed"; }
}

have_deb_src() { # any deb-src entry configured?
    grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list && return 0
    grep -qsiE '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources && return 0
    return 1
}

# A deb-src entry for every Debian archive entry (URI ending in /debian or
# /debian-security) of type deb that the machine has: same mirror, suites,
# components and keyring. Falls back to the release from /etc/os-release.
add_deb_src() {
    local out=/etc/apt/sources.list.d/alox-deb-src.sources tmp
    tmp=$(mktemp)
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        [ "$f" = "$out" ] && continue
        # deb822: stanzas separated by blank lines; keep the Debian deb ones
        awk -v RS= -v ORS='\n\n' '
            {
                n = split($0, L, "\n"); types = ""; uris = ""; enabled = "yes"; body = ""
                for (i = 1; i <= n; i++) {
                    if (L[i] ~ /^#/) continue
                    if (tolower(L[i]) ~ /^types:/) { types = L[i]; continue }
                    if (tolower(L[i]) ~ /^uris:/) uris = L[i]
                    if (tolower(L[i]) ~ /^enabled:/ && tolower(L[i]) ~ /no/) enabled = "no"
                    body = body L[i] "\n"
                }
                if (enabled == "no" || types !~ /(^|[ \t:])deb([ \t]|$)/) next
                if (uris !~ /\/debian(-security)?\/?([ \t]|$)/) next
                printf "Types: deb-src\n%s", body
                print ""
            }' "$f" >>"$tmp"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        grep -E '^[[:space:]]*deb[[:space:]]' "$f" | grep -E '/debian(-security)?/?[[:space:]]' |
            sed -E 's/^[[:space:]]*deb[[:space:]]/deb-src /' >>"$tmp.list"
    done
    if [ ! -s "$tmp" ] && [ ! -s "$tmp.list" ]; then
        local codename
        codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
        printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$codename" "$codename" >"$tmp"
    fi
    [ -s "$tmp" ] && { as_root cp "$tmp" "$out" && as_root chmod 644 "$out" || return 1; }
    [ -s "$tmp.list" ] && { as_root cp "$tmp.list" "${out%.sources}.list" &&
        as_root chmod 644 "${out%.sources}.list" || return 1; }
    rm -f "$tmp" "$tmp.list"
    log "added deb-src entries: $(ls /etc/apt/sources.list.d/alox-deb-src.* | tr '\n' ' ')"
}

fetch_sources() {
    local p pkg need=()
    for p in $PROJECTS; do
        pkg=$(source_package "$p") || die "unknown project $p (known: zlib cjson jansson lua sqlite)"
        ls "$CACHE/${pkg}_"*.dsc >/dev/null 2>&1 || need+=("$pkg")
    done
    [ ${#need[@]} -eq 0 ] && return 0
    if ! apt-cache showsrc "${need[0]}" 2>/dev/null | grep -q '^Package:'; then
        have_deb_src || add_deb_src || die "cannot add a deb-src entry"
        log "apt-get update"
        as_root apt-get update -q >"$DIR/apt-update.log" 2>&1 ||
            { tail -20 "$DIR/apt-update.log"; die "apt-get update failed"; }
    fi
    log "apt-get source --download-only ${need[*]}"
    (cd "$CACHE" && apt-get source --download-only "${need[@]}") >"$DIR/apt-source.log" 2>&1 ||
        { tail -20 "$DIR/apt-source.log"; die "apt-get source failed"; }
}

unpack() { # project -> $DIR/src/<project> (pristine upstream, cached)
    local p=$1 pkg dsc
    pkg=$(source_package "$p")
    dsc=$(ls "$CACHE/${pkg}_"*.dsc | sort -V | tail -1)
    if [ ! -f "$DIR/src/$p.stamp" ] || [ "$(cat "$DIR/src/$p.stamp")" != "$dsc" ]; then
        rm -rf "$DIR/src/$p" && mkdir -p "$DIR/src"
        dpkg-source --skip-patches -x "$dsc" "$DIR/src/$p" >"$DIR/src/$p.log" 2>&1 ||
            { cat "$DIR/src/$p.log"; die "dpkg-source -x $dsc"; }
        rm -rf "$DIR/src/$p/debian" # Debian packaging only; builds use upstream's own system
        echo "$dsc" >"$DIR/src/$p.stamp"
    fi
    log "$p: $(basename "$dsc" .dsc) (upstream, without Debian's patches)"
}

# ---------------------------------------------------------------- projects
# build_<p> FLAGS: build in the current directory (a fresh copy of the source)
# test_<p>: run the project's own test suite in the current directory
build_zlib() {
    CFLAGS="$1" ./configure && make -j"$JOBS" all all64
}
test_zlib() { make test; } # example, minigzip: static, shared and 64-bit offsets

build_cjson() {
    CFLAGS="$1" cmake -S . -B build -DENABLE_CJSON_UTILS=On -DENABLE_CJSON_TEST=On \
        -DENABLE_VALGRIND=Off -DENABLE_SANITIZERS=Off &&
        cmake --build build -j"$JOBS"
}
test_cjson() { (cd build && ctest --output-on-failure -j"$JOBS"); }

build_jansson() {
    # its autotools files need autoreconf; its CMake build has the same test suite
    CFLAGS="$1" cmake -S . -B build -DJANSSON_BUILD_DOCS=OFF -DJANSSON_WITHOUT_TESTS=OFF \
        -DJANSSON_BUILD_SHARED_LIBS=ON &&
        cmake --build build -j"$JOBS"
}
test_jansson() { (cd build && ctest --output-on-failure -j"$JOBS"); }

build_lua() {
    # Lua's makefile keeps its own CFLAGS (-O2 -Wall -Wextra ...) and takes ours in MYCFLAGS
    make -j"$JOBS" linux MYCFLAGS="${1/-O2 /}"
}
test_lua() {
    # Debian's lua5.4 source carries no test suite (upstream ships it separately):
    # a smoke test of the interpreter, the compiler and the standard libraries.
    cat >smoke.lua <<'EOF'
local t = {}
for i = 1, 100000 do t[i] = i * i end
assert(#t == 100000 and t[300] == 90000)
table.sort(t, function(a, b) return a > b end)
assert(t[1] == 10000000000)
assert(string.format("%5.2f|%d|%s|%q", math.pi, 42, "x", "a\nb") == " 3.14|42|x|\"a\\\nb\"")
assert(("hello world"):gsub("o", "0") == "hell0 w0rld")
assert(string.pack("<i4", 258) == "\2\1\0\0")
assert(utf8.char(955, 8364) == "λ€" and utf8.len("λ€") == 2)
assert(math.type(1) == "integer" and math.type(1.0) == "float" and 7 // 2 == 3 and 7 % -3 == -2)
assert(math.maxinteger + 1 == math.mininteger)
local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1); return b * 2 end)
assert(co(1) == 2 and co(10) == 20)
local ok, err = pcall(error, {code = 7})
assert(not ok and err.code == 7)
local mt = setmetatable({}, {__index = function(_, k) return k .. "!" end, __gc = function() end})
assert(mt.hi == "hi!")
local weak = setmetatable({}, {__mode = "k"})
weak[{}] = 1; collectgarbage(); collectgarbage()
assert(next(weak) == nil)
local f = assert(load("local a, b = ... return a ~ b, a << 3, string.rep('ab', 3)"))
local x, y, z = f(6, 3)
assert(x == 5 and y == 48 and z == "ababab")
local s = 0
for w in ("10 20 30"):gmatch("%d+") do s = s + tonumber(w) end
assert(s == 60)
local name = os.tmpname()
local fh = assert(io.open(name, "w")); fh:write("line1\nline2\n"); fh:close()
local n = 0
for _ in io.lines(name) do n = n + 1 end
os.remove(name)
assert(n == 2)
print("lua smoke: ok")
EOF
    ./src/lua smoke.lua &&
        ./src/luac -o smoke.luac smoke.lua && ./src/lua smoke.luac &&
        ./src/lua -e 'assert(_VERSION == "Lua 5.4")'
}

build_sqlite() {
    # the amalgamation (sqlite3.c, ~250k lines) is compiled into each program;
    # all the test programs of `make test` are built here so they are compared
    ./configure --with-tcl=/usr/lib/tcl8.6 CFLAGS="$1" &&
        make -j"$JOBS" sqlite3.c &&
        make -j"$JOBS" libsqlite3.la sqlite3 testfixture sqlite3_analyzer sqldiff dbhash \
            sqltclsh fuzzcheck sessionfuzz srcck1
}
test_sqlite() {
    # the checks of sqlite's `make test`: fuzzcheck, sessionfuzz, srcck1 and the
    # veryquick Tcl suite (run by testrunner.tcl on $JOBS cores). sqlite's tests
    # refuse to run as root: run them as an unprivileged user.
    local run=()
    if [ "$(id -u)" -eq 0 ]; then
        id "$TEST_USER" >/dev/null 2>&1 ||
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$TEST_USER" || return 1
        chown -R "$TEST_USER:" . || return 1
        # every parent must be searchable by that user
        local d=$PWD
        while [ "$d" != / ]; do
            runuser -u "$TEST_USER" -- test -x "$d" ||
                { log "$TEST_USER cannot enter $d: choose ALOX_TRANSPARENCY_DIR elsewhere"; return 1; }
            d=$(dirname "$d")
        done
        run=(runuser -u "$TEST_USER" --)
    fi
    "${run[@]}" env HOME="$PWD" ./fuzzcheck test/fuzzdata*.db &&
        "${run[@]}" env HOME="$PWD" ./sessionfuzz run test/sessionfuzz-data1.db &&
        ./srcck1 sqlite3.c &&
        "${run[@]}" env HOME="$PWD" ./testfixture test/testrunner.tcl --jobs "$JOBS" veryquick
    local rc=$?
    [ -f testrunner.log ] && tail -5 testrunner.log
    return $rc
}

# ---------------------------------------------------------------- checks
binaries() { # list ELF files and ar archives under the current directory
    local f m
    find . -type f \( -name '*.o' -o -name '*.lo' -o -name '*.a' -o -name '*.so*' \
        -o -perm -u+x \) -print | sort |
        while IFS= read -r f; do
            m=$(head -c 8 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')
            case $m in 7f454c46* | 213c617263683e0a) echo "${f#./}" ;; esac
        done
}

# build_variant PROJECT NAME FLAGS: fresh copy in $DIR/build/PROJECT (always the
# same path), build, save binaries to $DIR/out/PROJECT/NAME
build_variant() {
    local p=$1 name=$2 flags=$3 b=$DIR/build/$1 o=$DIR/out/$1/$2
    rm -rf "$b" "$o" && mkdir -p "$DIR/build" "$o" || return 1
    cp -a "$DIR/src/$p" "$b" || return 1
    local t0=$SECONDS
    (cd "$b" && "build_$p" "$flags") >"$o.build.log" 2>&1 ||
        { tail -30 "$o.build.log"; log "$p: $name build failed (log: $o.build.log)"; return 1; }
    case $flags in *-fplugin=*)
        grep -qsF -- "$PLUGFLAG" "$o.build.log" "$b/build/CMakeCache.txt" ||
            { log "$p: $name build: -fplugin does not appear in the build"; return 1; } ;;
    esac
    (cd "$b" && binaries) >"$o.list"
    (cd "$b" && xargs -r -d '\n' cp --parents -t "$o") <"$o.list" || return 1
    # the compiler's diagnostics, without the command lines that carry the flags
    grep -E ': (warning|error|note): |^In file included|In function' "$o.build.log" |
        sed "s|$b/||g" | sort >"$o.diag"
    log "$p: $name build: $(wc -l <"$o.list") binaries, $(grep -c ': warning: ' "$o.diag") warnings, $((SECONDS - t0)) s"
}

compare_variants() { # PROJECT A B -> 0 if every binary is byte-identical
    local p=$1 a=$DIR/out/$1/$2 b=$DIR/out/$1/$3 f n=0 bad=0 probes=0
    if ! cmp -s "$a.list" "$b.list"; then
        diff "$a.list" "$b.list" | head
        log "$p: the two builds produced different sets of binaries"
        return 1
    fi
    while IFS= read -r f; do
        n=$((n + 1))
        if ! cmp -s "$a/$f" "$b/$f" && [[ $f == *CMakeFiles/*.bin ]] &&
            same_without_debug_and_build_id "$a/$f" "$b/$f"; then
            # CMake's configure-time probes (compiler ABI, CheckTypeSize...), built with -g in a
            # randomly named CMakeScratch/TryCompile-XXXXXX directory, whose path is
            # in its DW_AT_comp_dir and so in its build-id (two plain builds differ too)
            probes=$((probes + 1))
            continue
        fi
        if ! cmp -s "$a/$f" "$b/$f"; then
            bad=$((bad + 1))
            log "$p: $f differs ($2 vs $3)"
            explain_difference "$a/$f" "$b/$f"
        fi
    done <"$a.list"
    local note=""
    [ $probes -gt 0 ] && note=", $probes CMake configure probes identical but for their debug info (random scratch directory)"
    log "$p: $((n - bad - probes))/$n binaries byte-identical$note ($2 vs $3)"
    [ $n -gt 0 ] && [ $bad -eq 0 ]
}

same_without_debug_and_build_id() { # A B
    local tmp rc
    tmp=$(mktemp -d)
    strip -g -R .note.gnu.build-id -o "$tmp/a" "$1" && strip -g -R .note.gnu.build-id -o "$tmp/b" "$2" &&
        cmp -s "$tmp/a" "$tmp/b"
    rc=$?
    rm -rf "$tmp"
    return $rc
}

explain_difference() { # A B: which part of two differing ELF files differs
    local a=$1 b=$2 tmp
    tmp=$(mktemp -d)
    if cmp -s <(objdump -d "$a" | tail -n +3) <(objdump -d "$b" | tail -n +3); then
        echo "    objdump -d: identical code"
    else
        echo "    objdump -d: CODE DIFFERS:"
        diff <(objdump -d "$a" | tail -n +3) <(objdump -d "$b" | tail -n +3) | head -20 | sed 's/^/      /'
    fi
    cp "$a" "$tmp/a" && cp "$b" "$tmp/b" && strip -g "$tmp/a" "$tmp/b" 2>/dev/null &&
        if cmp -s "$tmp/a" "$tmp/b"; then echo "    identical after strip -g (debug info only)"
        elif same_without_debug_and_build_id "$a" "$b"; then
            echo "    identical after strip -g -R .note.gnu.build-id: only debug info (and so the build-id) differs"
        else echo "    still differs after strip -g -R .note.gnu.build-id"; fi
    diff <(readelf -S -W "$a" 2>/dev/null | awk '/^ *\[/{print $2, $6}') \
        <(readelf -S -W "$b" 2>/dev/null | awk '/^ *\[/{print $2, $6}') | head -10 | sed 's/^/    sections: /'
    rm -rf "$tmp"
}

producer_check() { # zlib built with plain -g: only DW_AT_producer differs
    local p=$1 a=$DIR/out/$1/plain-g b=$DIR/out/$1/plugin-g f n=0 bad=0 tmp
    tmp=$(mktemp -d)
    while IFS= read -r f; do
        case $f in *.o) ;; *) continue ;; esac
        n=$((n + 1))
        cp "$a/$f" "$tmp/a.o" && cp "$b/$f" "$tmp/b.o" && strip -g "$tmp/a.o" "$tmp/b.o"
        local pa pb
        pa=$(readelf --debug-dump=info "$a/$f" 2>/dev/null | sed -n 's/.*DW_AT_producer.*: //p' | head -1)
        pb=$(readelf --debug-dump=info "$b/$f" 2>/dev/null | sed -n 's/.*DW_AT_producer.*: //p' | head -1)
        if ! cmp -s "$tmp/a.o" "$tmp/b.o"; then
            bad=$((bad + 1)); log "$p: $f differs after strip -g"
        elif [ "$pb" != "$pa $PLUGFLAG" ] && [ "${pb/ $PLUGFLAG/}" != "$pa" ]; then
            bad=$((bad + 1)); log "$p: $f: producers differ by more than -fplugin: '$pa' vs '$pb'"
        fi
        [ $n -eq 1 ] && log "$p: with -g, DW_AT_producer: plain '$pa'; plugin '$pb'"
    done <"$a.list"
    rm -rf "$tmp"
    log "$p: -g without -gno-record-gcc-switches: $((n - bad))/$n objects identical after strip -g, producer differs only by -fplugin"
    [ $n -gt 0 ] && [ $bad -eq 0 ]
}

# ---------------------------------------------------------------- main
log "plugin $PLUGIN; $CC $($CC -dumpfullversion); work dir $DIR; projects: $PROJECTS"
echo 'int alox_transparency_probe;' | "$CC" "$PLUGFLAG" -x c -c - -o /dev/null ||
    die "$CC cannot load $PLUGIN"
install_debs
fetch_sources
if [ $FETCH_ONLY -eq 1 ]; then
    for p in $PROJECTS; do unpack "$p"; done
    exit 0
fi

for p in $PROJECTS; do
    unpack "$p"
    # a plugin that crashed or diagnosed would fail the plugin build
    build_variant "$p" plain "$BASEFLAGS" || { failed "$p: plain build"; continue; }
    if [ "$p" = zlib ]; then
        build_variant "$p" plain-g "-O2 -g" && build_variant "$p" plugin-g "-O2 -g $PLUGFLAG" &&
            producer_check "$p" && pass "$p: -g build differs only in the recorded switches" ||
            failed "$p: -g build differs beyond the recorded switches"
    fi
    build_variant "$p" plugin "$BASEFLAGS $PLUGFLAG" || { failed "$p: build with the plugin"; continue; }
    if compare_variants "$p" plain plugin; then
        pass "$p: all $(wc -l <"$DIR/out/$p/plain.list") binaries identical with and without the plugin"
    else
        failed "$p: binaries differ with the plugin"
    fi
    if cmp -s "$DIR/out/$p/plain.diag" "$DIR/out/$p/plugin.diag"; then
        pass "$p: same compiler diagnostics ($(grep -c ': warning: ' "$DIR/out/$p/plain.diag") warnings)"
    else
        diff "$DIR/out/$p/plain.diag" "$DIR/out/$p/plugin.diag" | head -20
        failed "$p: diagnostics differ with the plugin"
    fi
    # the tree now holds the plugin build: run the project's own tests on it
    t0=$SECONDS
    if (cd "$DIR/build/$p" && "test_$p") >"$DIR/out/$p/plugin.test.log" 2>&1; then
        pass "$p: own test suite passes on the plugin build ($((SECONDS - t0)) s)"
    else
        tail -30 "$DIR/out/$p/plugin.test.log"
        failed "$p: own test suite (log: $DIR/out/$p/plugin.test.log)"
    fi
    [ $KEEP -eq 1 ] || rm -rf "$DIR/build/$p"
done

for f in "${FAILURES[@]}"; do log "failed: $f"; done
echo "$PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
