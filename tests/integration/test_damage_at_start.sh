#!/usr/bin/env bash
# Damage found at start-up never passes silently (issue 10):
# 1. receipted contacts, mashd killed (-9), its write-ahead log deleted
#    together with the id mark: the next start is refused (the mark's copy
#    vouches), naming what is missing and what to do; with
#    --accept-id-loss it starts, and a new contact's id collides with none of
#    the receipted ones (nor does one after a further restart);
# 2. two contacts' sealed blobs damaged (one waiting for delivery, one still
#    to be resolved): mashd starts, names each with the cause in its log,
#    quarantines them (not delivered; counted in mashctl status; the store
#    still ok) and delivers the others;
# 3. the agency resends them: each resend replaces the damaged record under
#    the same contact id, once (a further resend is a duplicate), and the
#    desk gets each exactly once.
. "$(dirname "$0")/lib.sh" "$1"

keygen ops ops trusted
status() {
  "$B/ops/mashctl" --endpoint "$EP" --server-key "$T/certs/mashd.pub" \
    --key "$T/certs/ops.secret" status
}
# submit N: one new notification; prints its contact id.
submit() {
  make_notification "$1" "$T/n$1.json"
  police_submit "$T/n$1.json" | grep -o "MASH-[0-9]*" | head -n 1
}

"$B/broker/mashd" --help | grep -q -- "--accept-id-loss" || fail "--help does not document the override"

# ---- 1. a deleted write-ahead log
# The receipted contacts must still be in the -wal file when it is deleted:
# no idle checkpoint copies them into the database first.
MASH_TEST_CHECKPOINT_IDLE_MS=3600000 start_mashd
receipted=()
for i in 1 2 3 4 5; do
  id=$(submit "$i") || fail "submit $i"
  receipted+=("$id")
done
[ "${receipted[4]}" = MASH-000005 ] || fail "expected MASH-000001..5, got ${receipted[*]}"
test -f "$T/mashd/mashd.db.ids" || fail "no id mark beside the database"
test -f "$T/mashd/.mashd.db.ids" || fail "no copy of the id mark"
stop mashd KILL
test -f "$T/mashd/mashd.db-wal" || fail "no -wal file to delete: the test proves nothing"
# The -wal file deleted together with the id mark: the mark's copy catches it.
rm -f "$T/mashd/mashd.db-wal" "$T/mashd/mashd.db-shm" "$T/mashd/mashd.db.ids"

# Refused, with the reason and the way out; never "ready".
rc=0
"$B/broker/mashd" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
  --key "$T/certs/mashd.secret" >"$T/refused.out" 2>"$T/refused.log" || rc=$?
[ $rc -ne 0 ] || fail "mashd started on a database that lost receipted contacts"
grep -q "ready" "$T/refused.out" && fail "mashd said ready: $(cat "$T/refused.out")"
for want in "behind its id mark $T/mashd/.mashd.db.ids" "contacts up to MASH-000005 were stored and receipted" \
  "5 missing" "mashd.db-wal" "--accept-id-loss"; do
  grep -qF -- "$want" "$T/refused.log" || fail "the refusal does not say '$want': $(cat "$T/refused.log")"
done
log "refused: $(head -c 200 "$T/refused.log")..."
[ ! -e "$T/mashd/mashd.db.ids" ] || fail "a refused start wrote the id mark again"

# The operator accepts the loss: ids start above every id ever issued.
MASHD_ARGS=--accept-id-loss start_mashd
grep -q "the loss was accepted" "$T/mashd.log" || fail "the accepted loss is not logged"
grep -q "the id mark's file $T/mashd/mashd.db.ids was missing" "$T/mashd.log" ||
  fail "the missing id mark is not logged"
test -f "$T/mashd/mashd.db.ids" || fail "the id mark was not made again"
new=$(submit 6) || fail "submit after the loss"
n=${new#MASH-}
[ $((10#$n)) -gt 5 ] || fail "a receipted id was issued again: $new"
for id in "${receipted[@]}"; do
  [ "$new" != "$id" ] || fail "$new collides with a receipt"
done
log "after the accepted loss the next contact is $new"
# A normal restart is not refused again, and goes on above the mark too.
stop mashd
start_mashd
next=$(submit 7) || fail "submit after a restart"
[ $((10#${next#MASH-})) -gt $((10#$n)) ] || fail "after a restart: $next, not above $new"

# ---- 2. damaged contact blobs: one waiting for delivery, one still to be
# resolved (as after a crash between its receipt and its resolution)
third=$(submit 8) || fail "submit 8"
stop mashd
sql() { sqlite3 -cmd ".timeout 10000" "$T/mashd/mashd.db" "$@"; }
# Change one byte of the ciphertext: the tag no longer matches.
damage() {
  sql "UPDATE contacts SET blob = substr(blob, 1, 20) || CASE WHEN substr(blob, 21, 1) = X'41'
       THEN X'42' ELSE X'41' END || substr(blob, 22) WHERE contact_id = '$1'"
}
damage "$new"
damage "$third"
sql "UPDATE contacts SET unresolved = 1 WHERE contact_id = '$third'"
start_mashd
grep -q "contact $new (from police, received .*) cannot be opened: authentication tag mismatch.*quarantined" \
  "$T/mashd.log" || fail "the damaged contact is not named with its cause"
wait_for 30 "the unresolved one named" grep -q "contact $third cannot be opened: authentication tag mismatch.*quarantined" "$T/mashd.log"
st=$(status) || fail "mashctl status: $st"
grep -q "quarantined contacts: 2 " <<<"$st" || fail "status does not count them: $st"
grep -q "store ok" <<<"$st" || fail "a damaged record made the store look failing: $st"
start_hub
wait_for 30 "the desk gets $next" grep -q "$next" "$T/hub.out"
grep -q "$new\|$third" "$T/hub.out" && fail "a damaged contact was delivered"

# ---- 3. the agency sends the quarantined contacts again: each resend
# replaces its record (same contact id), once, and the desk gets it.
again=$(police_submit "$T/n6.json" | grep -o "MASH-[0-9]*" | head -n 1) || fail "resend 6"
[ "$again" = "$new" ] || fail "the resend of a quarantined contact got $again, not $new"
again=$(police_submit "$T/n8.json" | grep -o "MASH-[0-9]*" | head -n 1) || fail "resend 8"
[ "$again" = "$third" ] || fail "the resend of a quarantined contact got $again, not $third"
wait_for 30 "the desk gets the replaced $new" grep -q "$new" "$T/hub.out"
wait_for 30 "the desk gets the replaced $third" grep -q "$third" "$T/hub.out"
grep -q "contact $new was quarantined.*replaced it" "$T/mashd.log" || fail "the replacement is not logged"
# A further resend is a plain duplicate again: nothing replaced twice.
police_submit "$T/n6.json" >"$T/dup.out" || fail "a second resend"
grep -q "$new" "$T/dup.out" || fail "the second resend's receipt: $(cat "$T/dup.out")"
st=$(status) || fail "mashctl status: $st"
grep -q "quarantined contacts: 0" <<<"$st" || fail "status still counts them as quarantined: $st"
grep -q "replaced by the agency's resend: 2 " <<<"$st" || fail "status does not count the replacements: $st"
# Both open again from the store, and each reached the desk once.
stop hub
for id in "$new" "$third"; do
  n=$(grep -c "$id" "$T/hub.out")
  [ "$n" = 1 ] || fail "$id reached the desk $n times"
done
stored_delivered() {
  [ "$(sql "SELECT delivered_at_ms IS NOT NULL AND unresolved = 0 FROM contacts
            WHERE contact_id = '$1'")" = 1 ]
}
wait_for 30 "$new stored resolved and delivered" stored_delivered "$new"
wait_for 30 "$third stored resolved and delivered" stored_delivered "$third"
log "ok"
