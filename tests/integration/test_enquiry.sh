#!/usr/bin/env bash
# The MASH enquiry end to end: a police notification is screened red with a
# consent record; the broker asks all four agencies, each answers from its
# records, and the hub desk receives one complete consolidated pack (JSON and
# a printable page). The broker refuses a screening without consent, an
# answer from an agency that was not asked, and stores a resent answer once.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
start_hub
for a in police health education housing; do
  start_agency "$a" --records "$AGENCY_EXAMPLES/$a-records.json"
done
out=$(police_submit "$EXAMPLES/dash-high.json") || fail "submit: $out"
wait_for 20 "the contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"

# Each agency sends its own kind of notification, with its own detail.
for a in health education housing; do
  # shellcheck disable=SC2046
  out=$("$B/agents/mash-$a" submit --timeout 30 $(agent_opts "$a") \
    "$AGENCY_EXAMPLES/$a-notification.json" 2>>"$T/$a.log") || fail "$a notification: $out"
  grep -q "accepted as MASH-" <<<"$out" || fail "$a notification: $out"
  wait_for 20 "the $a contact at the desk" grep -q "\"source_principal\":\"$a\".*\"$a\":{" "$T/hub.out"
done

# No consent record: the broker refuses, naming the field.
out=$("$B/tests/mash-rawsend" --endpoint "$EP" --server-key "$T/certs/mashd.pub" \
  --key "$T/certs/hub.secret" --screen-no-consent MASH-000001 --message-id no-consent-1) || true
grep -q "receipt rejected .*screening.consent" <<<"$out" || fail "screening without consent: $out"
[ "$(sql 'SELECT count(*) FROM enquiries')" = 0 ] || fail "an enquiry was opened without consent"

out=$(screen_red MASH-000001 police,health,education,housing) || fail "screen: $out"
grep -q "ENQ-000001" <<<"$out" || fail "no enquiry id in: $out"
[ "$(sql 'SELECT count(*) FROM requests')" = 4 ] || fail "expected 4 requests"

# Every agency answers from its records; the pack is complete.
wait_for 30 "the consolidated pack" pack_ready ENQ-000001 1
pack=$(pack_file ENQ-000001 1)
grep -q '"partial": *false' "$pack" || fail "pack v1 should be complete: $(head -c 400 "$pack")"
for a in police health education housing; do
  grep -q "\"agency\": *\"$a\"" "$pack" || fail "no answer from $a in the pack"
  grep -q "REQUEST REQ-" "$T/$a.out" || fail "$a did not see its request"
done
grep -q "GP registration\|gp_registration" "$pack" || fail "health findings missing from the pack"
page=$(pack_page ENQ-000001 1)
grep -q "<html" "$page" || fail "no printable page"
if grep -qE '<script|https?://' "$page"; then fail "page not self-contained"; fi
[ "$(sql 'SELECT count(*) FROM requests WHERE answered_at_ms = 0')" = 0 ] || fail "unanswered"

# An agency not asked (health answering police's request) is refused.
police_req=$(sql "SELECT request_id FROM requests WHERE agency = 'police'")
out=$(rawsend --key "$T/certs/health.secret" --answer "$police_req" --message-id x-1) || true
grep -q "receipt rejected .*no request with this id is addressed to you" <<<"$out" ||
  fail "not-asked answer: $out"
# A request id that does not exist gets the very same answer (issue 13: ids
# cannot be enumerated by telling "not yours" from "no such request").
nosuch=$(rawsend --key "$T/certs/health.secret" --answer REQ-999999 --message-id x-2) || true
[ "$(echo "$out" | grep -o 'receipt rejected.*')" = "$(echo "$nosuch" | grep -o 'receipt rejected.*')" ] ||
  fail "two answers tell an unknown request from another agency's: '$out' / '$nosuch'"
# A resent answer is stored once: police answers again (a new message id),
# and the same message again: duplicate both times, no new pack version.
out=$(rawsend --key "$T/certs/police.secret" --answer "$police_req" --message-id again-1) || true
grep -q "receipt duplicate" <<<"$out" || fail "second answer: $out"
out=$(rawsend --key "$T/certs/police.secret" --answer "$police_req" --message-id again-1) || true
grep -q "receipt duplicate" <<<"$out" || fail "resent answer: $out"
[ ! -e "$(pack_file ENQ-000001 2)" ] || fail "a duplicate answer re-issued the pack"

# The decision closes the contact; a second decision is refused.
out=$(hub decide MASH-000001 --outcome strategy_discussion --by "Team manager") ||
  fail "decide: $out"
out=$(hub decide MASH-000001 --outcome early_help --by "Team manager") && fail "decided twice: $out"
grep -q "already been decided" <<<"$out" || fail "second decision: $out"
[ "$(sql "SELECT state FROM contacts WHERE contact_id = 'MASH-000001'")" = 3 ] || fail "not decided"
log "ok"
