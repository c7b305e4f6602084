#!/usr/bin/env bash
# Identity comes from the CURVE key alone. A trusted key may send only what its
# principal may send: health may not send police notifications, the hub desk
# may not notify at all. Presenting police's public key without police's
# secret key fails the handshake. None of it is stored.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
f="$T/n1.json"
make_notification 1 "$f"

# health (a trusted agency) submits a police notification.
rc=0
out=$(police_submit --as health "$f") || rc=$?
[ $rc = 1 ] || fail "health submit exit $rc, expected 1 (refused): $out"
grep -q "refused by the broker" <<<"$out" || fail "health not refused by the broker: $out"
grep -q "may not send police notifications" <<<"$out" || fail "refusal gives no reason: $out"
grep -q "MASH-" <<<"$out" && fail "health got a contact id: $out"
[ "$(broker_contacts)" = 0 ] || fail "broker stored $(broker_contacts) contact(s) from health"

# The hub desk's key sends a notification.
rc=0
out=$(police_submit --as hub "$f") || rc=$?
[ $rc = 1 ] || fail "hub submit exit $rc, expected 1 (refused): $out"
grep -q "refused by the broker" <<<"$out" || fail "hub not refused by the broker: $out"
grep -q "only agencies notify" <<<"$out" || fail "hub refusal gives no reason: $out"
[ "$(broker_contacts)" = 0 ] || fail "broker stored $(broker_contacts) contact(s) from the hub key"
[ "$(count_in "$T/mashd.log" "refused notification")" = 2 ] ||
  fail "broker log does not show both refusals"

# The same frames sent raw under those keys are refused the same way.
outbox_frame health "$f" "$T/frame.bin"
out=$(rawsend --key "$T/certs/health.secret" --frame "$T/frame.bin") || fail "no answer: $out"
case "$out" in
"receipt rejected - [police: principal 'health' (agency health) may not send police notifications]") ;;
*) fail "raw frame from health: $out" ;;
esac

# An impostor: police's public key (and name) with someone else's secret key.
{
  grep -v '^secret-key' "$T/certs/police.secret"
  grep '^secret-key' "$T/certs/intruder.secret"
} >"$T/certs/impostor.secret"
chmod 600 "$T/certs/impostor.secret"
pub_of() { sed -n 's/^public-key *= *//p' "$1"; }
if [ "$(pub_of "$T/certs/impostor.secret")" != "$(pub_of "$T/certs/police.pub")" ] ||
  [ "$(grep -c '^secret-key' "$T/certs/impostor.secret")" != 1 ]; then
  fail "impostor key file not built as intended"
fi
rc=0
out=$(rawsend --timeout 1000 --key "$T/certs/impostor.secret" --frame "$T/frame.bin") || rc=$?
[ "$out" = "no reply" ] || fail "impostor got a reply: $out"
[ $rc = 3 ] || fail "mash-rawsend exit $rc for the impostor, expected 3"
rc=0
# shellcheck disable=SC2046
"$B/agents/mash-police" submit --timeout 1 --endpoint "$EP" --server-key "$T/certs/mashd.pub" \
  --key "$T/certs/impostor.secret" --state "$T/impostor/state.db" "$f" \
  >"$T/impostor.out" 2>>"$T/impostor.log" || rc=$?
[ $rc = 3 ] || fail "impostor submit exit $rc, expected 3 (no receipt): $(cat "$T/impostor.out")"
grep -q "MASH-" "$T/impostor.out" && fail "impostor got a contact id"
grep -q "police (agency) connected" "$T/mashd.log" && fail "the impostor was let in as police"
[ "$(broker_contacts)" = 0 ] || fail "broker stored $(broker_contacts) contact(s) for the impostor"

# The real police key is still served, and gets the first contact id.
out=$(police_submit "$f") || fail "real police submit failed: $out"
grep -q "accepted as MASH-000001" <<<"$out" || fail "real police not accepted: $out"
log "ok"
