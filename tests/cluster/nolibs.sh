#!/usr/bin/env bash
# --alox-cluster on a machine without libcurl or Jansson (cluster_libs.h:
# libalox dlopens them only for cluster membership), on 127.0.0.1 only.
#   nolibs.sh MEMBER_BINARY ALOX_TOOL FREE_PORT WORK_DIR
# No etcd is needed: the node must stop in alox_init, exit 2, with a
# message naming the library and the Debian package that installs it.
# LD_LIBRARY_PATH puts a stand-in first on the search path:
#   curl     a libcurl.so.4 that cannot be loaded (it needs a library
#            that was deleted): the message names libcurl4
#   jansson  a libjansson.so.4 with none of Jansson's functions: the
#            message names libjansson4
# and, without a stand-in, a program that does not use --alox-cluster
# runs with neither library mapped.
set -uo pipefail
member=$1 alox=$2 free_port=$3 work=$4
cc=${CC:-cc}
rm -rf "$work" && mkdir -p "$work"/curl "$work"/jansson && cd "$work" || exit 1
export ALOX_THREADS=1 ALOX_TOP=0

fail() { echo "FAIL (nolibs): $*"; for f in *.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done; exit 1; }

echo 'int stand_in_gone(void) { return 0; }' >gone.c
echo 'int stand_in(void) { return 0; }' >stand_in.c
"$cc" -shared -fPIC -o libgone.so gone.c || fail "cannot build the stand-ins ($cc)"
"$cc" -shared -fPIC -Wl,-soname,libcurl.so.4 -o curl/libcurl.so.4 stand_in.c -L. -Wl,--no-as-needed -lgone ||
  fail "cannot build the libcurl stand-in"
rm libgone.so # now curl/libcurl.so.4 cannot be loaded
"$cc" -shared -fPIC -Wl,-soname,libjansson.so.4 -o jansson/libjansson.so.4 stand_in.c ||
  fail "cannot build the Jansson stand-in"

"$alox" keygen keys n1 >/dev/null || fail "keygen"
echo "n1 $(cat keys/n1.pub)" >trust.txt

node() { # LIBDIR LOG: a cluster node with LIBDIR first on the library path; its exit status
  LD_LIBRARY_PATH=$1 timeout 20 "$member" --alox-node n1 --alox-listen "tcp://127.0.0.1:$("$free_port")" \
    --alox-key keys/n1.key --alox-trust trust.txt --alox-cluster etcd://127.0.0.1:9/test n1 1 >"$2" 2>&1
}

node "$work/curl" curl.log; rc=$?
[ $rc -eq 2 ] || fail "without a loadable libcurl the node exited $rc, not 2"
grep -q "libcurl.so.4 (on Debian: apt-get install libcurl4)" curl.log || fail "curl.log does not name libcurl4"
grep -q "libgone.so" curl.log || fail "curl.log does not say why (dlerror)"
echo "no libcurl: $(grep alox: curl.log)"

node "$work/jansson" jansson.log; rc=$?
[ $rc -eq 2 ] || fail "without a usable Jansson the node exited $rc, not 2"
grep -q "libjansson.so.4 has no json_.*apt-get install libjansson4" jansson.log ||
  fail "jansson.log does not name libjansson4"
echo "no Jansson: $(grep alox: jansson.log)"

# Without --alox-cluster: neither library is mapped while the node runs.
"$member" n1 0 >plain.log 2>&1 &
plain=$!
for _ in $(seq 100); do grep -q "^ready" plain.log && break; sleep 0.05; done
grep -q "^ready" plain.log || { kill -9 $plain; fail "the plain node did not start"; }
maps=$(grep -cE 'libcurl|libjansson' /proc/$plain/maps)
kill -TERM $plain; wait $plain
[ "$maps" -eq 0 ] || fail "a node without --alox-cluster has libcurl or Jansson mapped"
echo "ok: nolibs"
