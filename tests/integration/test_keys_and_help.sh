#!/usr/bin/env bash
# Every program explains itself with --help and names its release with
# --version; key files are checked before
# anything runs: a missing key, a public key where the secret is needed, or a
# secret readable by others stops the program with a clear message; and
# mash-keygen never replaces keys unless told to.
. "$(dirname "$0")/lib.sh" "$1"

declare -A PROG=(
  [mashd]="$B/broker/mashd"
  [mash-police]="$B/agents/mash-police"
  [mash-hub]="$B/agents/mash-hub"
  [mash-keygen]="$B/certs/mash-keygen"
  [mash-health]="$B/agents/mash-health"
  [mashctl]="$B/ops/mashctl"
)
version=$(sed -n 's/^project(mash VERSION \([0-9.]*\).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")
for name in "${!PROG[@]}"; do
  rc=0
  out=$("${PROG[$name]}" --help 2>&1) || rc=$?
  [ $rc = 0 ] || fail "$name --help exit $rc"
  first=${out%%$'\n'*} # no pipe: head would close it early under pipefail
  [[ $first == "usage: $name "* ]] || fail "$name --help: no usage line: $out"
  rc=0
  out=$("${PROG[$name]}" --no-such-option 2>&1) || rc=$?
  [ $rc = 2 ] || fail "$name with an unknown option exit $rc, expected 2"
  grep -q "usage: $name " <<<"$out" || fail "$name with an unknown option shows no usage: $out"
  rc=0
  out=$("${PROG[$name]}" --version 2>&1) || rc=$?
  [ $rc = 0 ] || fail "$name --version exit $rc"
  [ "$out" = "$name (mash) $version" ] || fail "$name --version says '$out', expected '$name (mash) $version'"
done

# run_mashd KEYFILE: run mashd with that key; its exit code, output in mashd.try
run_mashd() {
  timeout 20 "$B/broker/mashd" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
    --key "$1" --heartbeat-ms 500 >"$T/mashd.try" 2>&1
}
expect_refused() { # expect_refused KEYFILE TEXT: mashd exits 1 naming the problem
  local rc=0
  run_mashd "$1" || rc=$?
  [ $rc = 1 ] || fail "mashd with $1: exit $rc, expected 1: $(cat "$T/mashd.try")"
  grep -qF -- "$2" "$T/mashd.try" || fail "mashd with $1 does not say '$2': $(cat "$T/mashd.try")"
  grep -q "ready on" "$T/mashd.try" && fail "mashd with $1 became ready"
  return 0
}
expect_refused "$T/certs/missing.secret" "missing.secret: No such file or directory"
expect_refused "$T/certs/mashd.pub" "need the .secret file"
cp "$T/certs/mashd.secret" "$T/certs/loose.secret"
chmod 644 "$T/certs/loose.secret"
expect_refused "$T/certs/loose.secret" "loose.secret: secret key file is accessible by group or others"
[ ! -e "$T/mashd/mashd.db" ] || fail "mashd created a database before checking its key"

# Agents check their own key the same way.
chmod 644 "$T/certs/police.secret"
rc=0
out=$(police_submit "$EXAMPLES/dash-high.json" 2>&1) || rc=$?
grep -q "police.secret: secret key file is accessible by group or others" "$T/police.log" ||
  fail "mash-police accepted a loose key file (exit $rc): $(cat "$T/police.log")"
[ $rc = 1 ] || fail "mash-police with a loose key: exit $rc, expected 1"
chmod 600 "$T/certs/police.secret"
chmod 640 "$T/certs/hub.secret"
rc=0
# shellcheck disable=SC2046
# (run: the desk's read-only commands read its state and need no key at all)
timeout 20 "$B/agents/mash-hub" run --json $(agent_opts hub) >"$T/hub.out" 2>"$T/hub.log" || rc=$?
grep -q "hub.secret: secret key file is accessible by group or others" "$T/hub.log" ||
  fail "mash-hub accepted a group-readable key file (exit $rc)"
[ $rc = 1 ] || fail "mash-hub with a loose key: exit $rc, expected 1"
chmod 600 "$T/certs/hub.secret"

# The good key still works: mashd starts (the self-test passes) and stops cleanly.
start_mashd
stop mashd TERM

# mash-keygen: no silent replacement of a key pair.
cp "$T/certs/police.pub" "$T/police.pub.before"
cp "$T/certs/police.secret" "$T/police.secret.before"
rc=0
out=$("$B/certs/mash-keygen" police --role agency --out "$T/certs" 2>&1) || rc=$?
[ $rc = 1 ] || fail "mash-keygen over existing keys: exit $rc, expected 1: $out"
grep -q -- "--force" <<<"$out" || fail "mash-keygen does not point to --force: $out"
cmp -s "$T/certs/police.pub" "$T/police.pub.before" || fail "police.pub changed without --force"
cmp -s "$T/certs/police.secret" "$T/police.secret.before" || fail "police.secret changed without --force"
out=$("$B/certs/mash-keygen" police --role agency --out "$T/certs" --force 2>&1) ||
  fail "mash-keygen --force failed: $out"
cmp -s "$T/certs/police.pub" "$T/police.pub.before" && fail "--force did not make a new key"
[ "$(stat -c %a "$T/certs/police.secret")" = 600 ] ||
  fail "new secret key file has mode $(stat -c %a "$T/certs/police.secret")"
grep -q "^role = agency" "$T/certs/police.pub" || fail "new public key file has no role"
log "ok"
