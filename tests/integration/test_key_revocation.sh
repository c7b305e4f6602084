#!/usr/bin/env bash
# Revocation at once (issue 13, "Keys"): a police adapter connected and
# sending has its key revoked with `mashctl keys revoke`; mashd notices the
# change of the trust folder and refuses its next notification on the
# connection it already has, drops its route and says so naming it; a new
# connection with the key is refused too; another agency and the hub keep
# working; after a restart the key is still refused (the revocation list
# wins over the .pub still in the folder). `mashctl keys add` trusts a new
# agency key and refuses a secret key, a group-writable file, a key already
# trusted and the revoked key.
. "$(dirname "$0")/lib.sh" "$1"

ctl() { "$B/ops/mashctl" --trust "$T/trusted" "$@"; }

start_mashd
start_hub

log "keys add: a second police force's key, refusing what must not go in"
keygen northpolice agency
echo "agency = police" >>"$T/certs/northpolice.pub"
out=$(ctl keys add "$T/certs/northpolice.secret" 2>&1) && fail "a secret key was added: $out"
grep -q "holds a secret key" <<<"$out" || fail "secret key: unclear refusal: $out"
cp "$T/certs/northpolice.pub" "$T/open.pub"
chmod 666 "$T/open.pub"
out=$(ctl keys add "$T/open.pub" 2>&1) && fail "a world-writable key file was added: $out"
grep -q "writable by group or others" <<<"$out" || fail "0666: unclear refusal: $out"
out=$(ctl keys add "$T/certs/police.pub" 2>&1) && fail "police was added twice: $out"
grep -q "already trusted" <<<"$out" || fail "duplicate: unclear refusal: $out"
ctl keys add "$T/certs/northpolice.pub" >"$T/add.out" || fail "keys add: $(cat "$T/add.out")"
[ -f "$T/trusted/northpolice.pub" ] || fail "keys add wrote no northpolice.pub"
wait_for 10 "mashd trusts northpolice" grep -q "northpolice (agency) trusted with key" "$T/mashd.log"

log "police connected and sending"
start_agency police
S="$T/police/spool"
make_notification 1 "$S/n1.tmp" && mv "$S/n1.tmp" "$S/n1.json"
wait_for 30 "n1 accepted" test -f "$S/accepted/n1.json"
[ "$(broker_contacts)" = 1 ] || fail "expected 1 contact, found $(broker_contacts)"
wait_for 15 "police route" grep -q "police (agency) connected" "$T/mashd.log"

log "keys revoke police: the open connection is refused from its next message"
ctl keys revoke police >"$T/revoke.out" || fail "keys revoke: $(cat "$T/revoke.out")"
[ "$(stat -c %a "$T/trusted/revoked")" = 600 ] || fail "revoked is not mode 0600"
wait_for 10 "mashd names the revoked agency" \
  grep -q "trust list: the key of police (agency) .* is revoked: refused from its next message" "$T/mashd.log"
ctl keys list >"$T/list.out"
grep -Eq "^police +- .* revoked 20" "$T/list.out" || fail "keys list: police not revoked: $(cat "$T/list.out")"
grep -Eq "^northpolice +agency +police .* trusted" "$T/list.out" || fail "keys list: $(cat "$T/list.out")"
out=$(ctl keys revoke police 2>&1) && fail "police revoked twice: $out"
grep -q "already revoked" <<<"$out" || fail "second revoke: unclear refusal: $out"

make_notification 2 "$S/n2.tmp" && mv "$S/n2.tmp" "$S/n2.json"
wait_for 30 "n2 refused on the open connection" \
  grep -q "refused a message from police: its key .* is revoked; route dropped" "$T/mashd.log"
[ "$(broker_contacts)" = 1 ] || fail "a revoked key's notification was stored"
[ ! -f "$S/accepted/n2.json" ] || fail "n2 was accepted"

log "a new connection with the revoked key is refused at the handshake"
rc=0
police_submit --as police --timeout 3 "$EXAMPLES/dash-high.json" >/dev/null 2>&1 || rc=$?
[ $rc = 3 ] || fail "a new connection with the revoked key: exit $rc, expected 3 (no receipt)"
grep -q "ZAP: denied a revoked key" "$T/mashd.log" || fail "ZAP did not name the revoked key"

log "another agency and the hub keep working"
make_notification 3 "$T/n3.json"
police_submit --as northpolice "$T/n3.json" >"$T/n3.out" || fail "northpolice refused: $(cat "$T/n3.out")"
grep -q accepted "$T/n3.out" || fail "northpolice: no receipt"
wait_for 30 "the hub has both contacts" hub_has 2

log "a restart keeps the key refused"
stop mashd
start_mashd
rc=0
police_submit --as police --timeout 3 "$EXAMPLES/dash-high.json" >/dev/null 2>&1 || rc=$?
[ $rc = 3 ] || fail "after restart the revoked key got in: exit $rc"
[ "$(broker_contacts)" = 2 ] || fail "after restart: expected 2 contacts, found $(broker_contacts)"
make_notification 4 "$T/n4.json"
police_submit --as northpolice "$T/n4.json" >"$T/n4.out" || fail "northpolice refused after restart"
[ "$(broker_contacts)" = 3 ] || fail "after restart: expected 3 contacts, found $(broker_contacts)"
[ ! -f "$S/accepted/n2.json" ] || fail "n2 was accepted after restart"

log "a revoked key's new key pair is trusted again (police.pub replaced)"
"$B/certs/mash-keygen" police --role agency --out "$T/newcerts" >/dev/null
out=$(ctl keys add "$T/certs/police.pub" 2>&1) && fail "the revoked key was added back: $out"
grep -q "was revoked" <<<"$out" || fail "revoked key: unclear refusal: $out"
ctl keys add "$T/newcerts/police.pub" >"$T/add2.out" || fail "new police key: $(cat "$T/add2.out")"
kill -HUP "${PID[mashd]}"
wait_for 10 "the new police key trusted" grep -q "police (agency) trusted with key" "$T/mashd.log"
make_notification 5 "$T/n5.json"
# shellcheck disable=SC2046
"$B/agents/mash-police" submit --timeout 30 --endpoint "$EP" --server-key "$T/certs/mashd.pub" \
  --key "$T/newcerts/police.secret" --state "$T/newpolice/state.db" "$T/n5.json" >"$T/n5.out" \
  2>>"$T/newpolice.log" || fail "the new police key was refused: $(cat "$T/n5.out")"
[ "$(broker_contacts)" = 4 ] || fail "expected 4 contacts, found $(broker_contacts)"
kill -0 "${PID[mashd]}" || fail "mashd is gone"
log "ok"
