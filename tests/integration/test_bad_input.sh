#!/usr/bin/env bash
# Hostile or broken frames from a trusted key (garbage, empty, truncated,
# oversize) get a clear error (test_sizes covers every size limit), and
# nothing is stored; mashd keeps serving. An invalid police record is refused
# by mash-police itself, naming the field, and never sent.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
f1="$T/n1.json"
make_notification 1 "$f1"
out=$(police_submit "$f1") || fail "first submit failed: $out"
grep -q "accepted as MASH-000001" <<<"$out" || fail "first submit not accepted: $out"
outbox_frame police "$f1" "$T/good.bin"
size=$(stat -c %s "$T/good.bin")

printf 'this is not a mash envelope \377\376\375' >"$T/garbage.bin"
: >"$T/empty.bin"
head -c $((size / 2)) "$T/good.bin" >"$T/truncated.bin"
head -c $((256 * 1024 + 1)) /dev/zero >"$T/oversize.bin"

police_raw() { rawsend --key "$T/certs/police.secret" "$@"; }
out=$(police_raw --frame "$T/garbage.bin") || fail "no answer to garbage: $out"
[ "$out" = "error 1 is not a valid mash.v1 Envelope" ] || fail "garbage: $out"
out=$(police_raw --frame "$T/empty.bin") || fail "no answer to an empty frame: $out"
[ "$out" = "error 1 is empty" ] || fail "empty frame: $out"
out=$(police_raw --frame "$T/truncated.bin") || fail "no answer to a truncated frame: $out"
[ "$out" = "error 1 is not a valid mash.v1 Envelope" ] || fail "truncated frame: $out"
out=$(police_raw --frame "$T/oversize.bin") || fail "no answer to an oversize frame: $out"
[ "$out" = "error 1 is 262145 bytes, larger than 262144" ] || fail "oversize frame: $out"
[ "$(count_in "$T/mashd.log" "oversized message from police")" = 1 ] ||
  fail "broker log does not show the oversized message"
[ "$(count_in "$T/mashd.log" "malformed message from police")" = 3 ] ||
  fail "broker log does not show the three malformed messages"
kill -0 "${PID[mashd]}" 2>/dev/null || fail "mashd died"
[ "$(broker_contacts)" = 1 ] || fail "broker holds $(broker_contacts) contacts after bad frames"

# Still serving, on the same connection kind, and nothing was numbered in between.
out=$(police_raw) || fail "no heartbeat answer after the bad frames: $out"
[ "$out" = heartbeat ] || fail "heartbeat answer: $out"
f2="$T/n2.json"
make_notification 2 "$f2"
out=$(police_submit "$f2") || fail "valid submit after the bad frames failed: $out"
grep -q "accepted as MASH-000002" <<<"$out" || fail "valid submit not accepted: $out"
[ "$(broker_contacts)" = 2 ] || fail "broker holds $(broker_contacts) contacts, expected 2"

# An invalid notification is refused locally, naming the field, and not sent.
# (The outbox seals its labels: count its entries before and after.)
outbox_rows() { sqlite3 -cmd ".timeout 10000" "$T/police/state.db" "SELECT count(*) FROM outbox"; }
before=$(outbox_rows)
rc=0
out=$(police_submit "$EXAMPLES/bad-date.json") || rc=$?
[ $rc = 1 ] || fail "bad-date submit exit $rc, expected 1: $out"
grep -q "bad-date.json: refused: children\[0\].dob: " <<<"$out" || fail "field not named: $out"
grep -q "refused by the broker" <<<"$out" && fail "bad-date reached the broker: $out"
[ "$(outbox_rows)" = "$before" ] || fail "bad-date stored in the outbox"
[ "$(broker_contacts)" = 2 ] || fail "broker holds $(broker_contacts) contacts after bad-date"
log "ok"
