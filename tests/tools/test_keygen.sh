#!/usr/bin/env bash
# The alox command as scripts use it: keygen, trust-line, help, exit codes.
#   tests/tools/test_keygen.sh PATH/TO/alox
set -euo pipefail
alox=${1:?usage: test_keygen.sh PATH/TO/alox}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# Runs alox with the given arguments; sets out, err, rc.
run() {
  set +e
  "$alox" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  set -e
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

z85='^[]0-9a-zA-Z.:+=^!/*?&<>()[{}@%$#-]{40}$'
z85_line() { [ "$(wc -l <"$1")" -eq 1 ] && grep -Eq "$z85" "$1" && [ "$(tr -d '\n' <"$1" | wc -c)" -eq 40 ]; }

# keygen into a directory that does not exist yet
run keygen "$tmp/keys" node-a
check "keygen exits 0" [ "$rc" -eq 0 ]
check "DIR created with mode 700" [ "$(stat -c %a "$tmp/keys")" = 700 ]
check "NAME.key has mode 600" [ "$(stat -c %a "$tmp/keys/node-a.key")" = 600 ]
check "NAME.pub has mode 644" [ "$(stat -c %a "$tmp/keys/node-a.pub")" = 644 ]
check "NAME.key is one Z85 line" z85_line "$tmp/keys/node-a.key"
check "NAME.pub is one Z85 line" z85_line "$tmp/keys/node-a.pub"
pub=$(cat "$tmp/keys/node-a.pub")
check "secret and public keys differ" [ "$pub" != "$(cat "$tmp/keys/node-a.key")" ]
check "prints the secret key path" grep -qF "$tmp/keys/node-a.key" "$tmp/out"
check "prints the public key path" grep -qF "$tmp/keys/node-a.pub" "$tmp/out"
check "prints the trust-file line" grep -qxF "node-a $pub" "$tmp/out"
check "never prints the secret key" bash -c '! grep -qF "$(cat "$1")" "$2"' _ "$tmp/keys/node-a.key" "$tmp/out"
check "leaves no temporary files" [ "$(ls -A "$tmp/keys" | wc -l)" -eq 2 ]

# an existing key is kept
secret=$(cat "$tmp/keys/node-a.key")
run keygen "$tmp/keys" node-a
check "keygen over an existing key exits 1" [ "$rc" -eq 1 ]
check "  and says it exists" grep -q "exists already" "$tmp/err"
check "  and keeps the key" [ "$(cat "$tmp/keys/node-a.key")" = "$secret" ]
check "  and keeps the public key" [ "$(cat "$tmp/keys/node-a.pub")" = "$pub" ]
rm "$tmp/keys/node-a.key"
run keygen "$tmp/keys" node-a
check "keygen over an existing .pub alone exits 1" [ "$rc" -eq 1 ]
check "  and writes no secret key" [ ! -e "$tmp/keys/node-a.key" ]
run keygen --force "$tmp/keys" node-a
check "keygen --force exits 0" [ "$rc" -eq 0 ]
check "  and makes a new pair" [ "$(cat "$tmp/keys/node-a.pub")" != "$pub" ]
check "  with mode 600" [ "$(stat -c %a "$tmp/keys/node-a.key")" = 600 ]

# modes do not depend on the umask
(umask 077 && "$alox" keygen "$tmp/keys" umask077 >/dev/null)
check "under umask 077 the .pub is still 644" [ "$(stat -c %a "$tmp/keys/umask077.pub")" = 644 ]
(umask 000 && "$alox" keygen "$tmp/keys" umask000 >/dev/null)
check "under umask 000 the .key is still 600" [ "$(stat -c %a "$tmp/keys/umask000.key")" = 600 ]

# trust-line
run trust-line "$tmp/keys/umask077.pub"
check "trust-line exits 0" [ "$rc" -eq 0 ]
check "trust-line prints NAME KEY" [ "$out" = "umask077 $(cat "$tmp/keys/umask077.pub")" ]
run trust-line "$tmp/keys/umask077.pub" other
check "trust-line with NAME" [ "$out" = "other $(cat "$tmp/keys/umask077.pub")" ]
run trust-line "$tmp/keys/missing.pub"
check "trust-line of a missing file exits 1" [ "$rc" -eq 1 ]
echo "not a key" >"$tmp/keys/broken.pub"
run trust-line "$tmp/keys/broken.pub"
check "trust-line of a bad key exits 1" [ "$rc" -eq 1 ]

# bad usage: exit 2, usage on stderr
for args in "bogus" "keygen" "keygen $tmp/keys" "keygen $tmp/keys a b" "keygen $tmp/keys bad/name" \
            "keygen $tmp/keys -x" "trust-line"; do
  # shellcheck disable=SC2086
  run $args
  check "alox $args exits 2" [ "$rc" -eq 2 ]
  check "alox $args prints usage or the reason on stderr" [ -n "$err" ]
  check "alox $args prints nothing on stdout" [ -z "$out" ]
done
run
check "alox without arguments exits 2" [ "$rc" -eq 2 ]
run bogus
check "unknown command: usage on stderr" grep -q "usage: alox keygen" "$tmp/err"
check "bad name wrote nothing" [ ! -e "$tmp/keys/bad" ]

# help documents the contract
for help in help --help; do
  run $help
  check "alox $help exits 0" [ "$rc" -eq 0 ]
done
for word in "alox keygen" "DIR/NAME.key" "DIR/NAME.pub" "0600" "Trust file" "trust-line" \
            --alox-threads ALOX_THREADS --alox-node ALOX_NODE --alox-listen ALOX_LISTEN \
            --alox-peer ALOX_PEER --alox-key ALOX_KEY --alox-trust ALOX_TRUST "Exit status"; do
  check "help mentions $word" grep -qF -- "$word" "$tmp/out"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
