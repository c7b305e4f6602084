#!/usr/bin/env bash
# A police DASH notification travels over CURVE to mashd, is stored and
# receipted, and reaches the hub desk with the DASH scored and the grade raised.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
start_hub
out=$(police_submit "$EXAMPLES/dash-high.json") || fail "submit failed: $out"
grep -q "accepted as MASH-000001" <<<"$out" || fail "no accepted receipt: $out"
wait_for 20 "hub desk shows the contact" hub_has 1
line=$(head -n 1 "$T/hub.out")
grep -q '"contact_id":"MASH-000001"' <<<"$line" || fail "wrong contact: $line"
grep -q '"source_principal":"police"' <<<"$line" || fail "source not from the key: $line"
grep -q '"grade_raised":true' <<<"$line" || fail "grade not raised: $line"
[ "$(broker_contacts)" = 1 ] || fail "broker holds $(broker_contacts) contacts, expected 1"
# The stored contact is sealed: no child's name in the database file.
if grep -q "Hartley" "$T/mashd/mashd.db" "$T/mashd/mashd.db-wal" 2>/dev/null; then
  fail "plaintext child name in the broker database"
fi
# A wrong NHS check digit is not a reason to drop a child's notification:
# it is accepted and flagged; a malformed number is refused, naming it.
sed -e 's/943 476 5919/943 476 5918/' -e 's/PPN-2026-000123/PPN-2026-000999/' \
  "$EXAMPLES/dash-high.json" >"$T/check.json"
out=$(police_submit "$T/check.json") || fail "submit with a failed check digit: $out"
grep -q "accepted as MASH-000002" <<<"$out" || fail "failed check digit: $out"
wait_for 20 "the flagged contact" grep -q '"contact_id":"MASH-000002".*identifier_check_failed' \
  "$T/hub.out"
sed -e 's/943 476 5919/943 476 591/' -e 's/PPN-2026-000123/PPN-2026-000998/' \
  "$EXAMPLES/dash-high.json" >"$T/malformed.json"
out=$(police_submit "$T/malformed.json") && fail "a malformed NHS number was sent: $out"
grep -q "children\[0\].nhs_number" <<<"$out" || fail "malformed NHS number: $out"

# And the desk's own list shows it after restart of the desk.
stop hub
# (the output is kept first: grep -q would close the pipe early under pipefail)
listed=$("$B/agents/mash-hub" list --json $(agent_opts hub) 2>/dev/null) || fail "mash-hub list"
grep -q MASH-000001 <<<"$listed" || fail "mash-hub list does not show the stored contact"
log "ok"
