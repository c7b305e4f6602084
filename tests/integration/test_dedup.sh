#!/usr/bin/env bash
# The same notification sent twice is one contact: the second submit gets a
# "duplicate" receipt with the first contact id, the broker stores one contact
# and the hub desk shows it once. A raw resend of the very same frame is also
# recognised as a duplicate.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
start_hub
f1="$T/n1.json"
make_notification 1 "$f1"

out=$(police_submit "$f1") || fail "first submit failed: $out"
grep -q "accepted as MASH-000001" <<<"$out" || fail "no accepted receipt: $out"
out=$(police_submit "$f1") || fail "second submit failed: $out"
grep -q "already received as MASH-000001" <<<"$out" || fail "no duplicate receipt: $out"
grep -q "accepted as" <<<"$out" && fail "second submit accepted again: $out"
[ "$(broker_contacts)" = 1 ] || fail "broker holds $(broker_contacts) contacts, expected 1"

# The identical frame, byte for byte, resent under the police key.
outbox_frame police "$f1" "$T/frame1.bin"
out=$(rawsend --key "$T/certs/police.secret" --frame "$T/frame1.bin") ||
  fail "raw resend got no answer: $out"
[ "$out" = "receipt duplicate MASH-000001" ] || fail "raw resend not a duplicate: $out"
[ "$(broker_contacts)" = 1 ] || fail "broker holds $(broker_contacts) contacts after the raw resend"

# The desk shows it once. Deliveries are in contact order, so once a second,
# different notification has arrived, any redelivered first one would be there too.
wait_for 20 "hub desk shows the contact" hub_has 1
f2="$T/n2.json"
make_notification 2 "$f2"
out=$(police_submit "$f2") || fail "submit of a different notification failed: $out"
grep -q "accepted as MASH-000002" <<<"$out" || fail "second notification not accepted: $out"
wait_for 20 "hub desk shows the second contact" hub_has 2
[ "$(hub_lines)" = 2 ] || fail "hub desk shows $(hub_lines) lines, expected exactly 2"
ids=$(grep -o '"contact_id":"[^"]*"' "$T/hub.out" | tr '\n' ' ')
[ "$ids" = '"contact_id":"MASH-000001" "contact_id":"MASH-000002" ' ] || fail "hub desk shows: $ids"
[ "$(broker_contacts)" = 2 ] || fail "broker holds $(broker_contacts) contacts, expected 2"
log "ok"
