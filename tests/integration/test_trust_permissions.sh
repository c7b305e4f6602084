#!/usr/bin/env bash
# The trust list decides who may send what, so whoever can write it can make
# themselves the hub. mashd refuses to start, naming the path and its mode,
# when the trust folder or a .pub in it is writable by group or others; put
# right, the same folder is accepted.
. "$(dirname "$0")/lib.sh" "$1"

# try_mashd: run mashd on the trust folder; its exit code, output in mashd.try
try_mashd() {
  timeout 20 "$B/broker/mashd" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
    --key "$T/certs/mashd.secret" --heartbeat-ms 500 >"$T/mashd.try" 2>&1
}
expect_refused() { # expect_refused TEXT...: mashd exits 1 and says every TEXT
  local rc=0
  try_mashd || rc=$?
  [ $rc = 1 ] || fail "mashd: exit $rc, expected 1: $(cat "$T/mashd.try")"
  for text in "$@"; do
    grep -qF -- "$text" "$T/mashd.try" || fail "mashd does not say '$text': $(cat "$T/mashd.try")"
  done
  grep -q "ready on" "$T/mashd.try" && fail "mashd became ready: $(cat "$T/mashd.try")"
  [ ! -e "$T/mashd/mashd.db" ] || fail "mashd created a database before checking its trust list"
}

log "a world-writable trust folder is refused"
chmod 777 "$T/trusted"
expect_refused "trust list $T/trusted: folder is writable by group or others (mode 0777"
log "a group-writable trust folder is refused"
chmod 775 "$T/trusted"
expect_refused "trust list $T/trusted" "mode 0775"
chmod 755 "$T/trusted"

log "a hub.pub anyone can write is refused"
chmod 666 "$T/trusted/hub.pub"
expect_refused "$T/trusted/hub.pub: key file is writable by group or others (mode 0666"
chmod 644 "$T/trusted/hub.pub"

log "an agent refuses a broker key anyone can rewrite"
chmod 666 "$T/certs/mashd.pub"
rc=0
police_submit "$EXAMPLES/dash-high.json" >/dev/null 2>&1 || rc=$?
[ $rc = 1 ] || fail "mash-police with a 0666 server key: exit $rc, expected 1"
grep -qF "$T/certs/mashd.pub: key file is writable by group or others (mode 0666" "$T/police.log" ||
  fail "mash-police does not name the loose server key: $(cat "$T/police.log")"
chmod 644 "$T/certs/mashd.pub"

log "put right, the same folder is accepted and serves"
start_mashd
out=$(police_submit "$EXAMPLES/dash-high.json") || fail "submit after the fix failed: $out"
grep -q "accepted" <<<"$out" || fail "no receipt after the fix: $out"
stop mashd TERM
log "ok"
