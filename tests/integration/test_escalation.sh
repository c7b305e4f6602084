#!/usr/bin/env bash
# A late agency is escalated at the right instants of the (accelerated) clock:
# red, 4 hours round the clock; the reminder at 75% to the agency, the
# deadline to the duty lead and hub team manager, 150% to the head of
# service with a partial pack. The late answer is accepted and the pack
# re-issued complete. The escalation log's chain verifies, and an edit is
# found.
. "$(dirname "$0")/lib.sh" "$1"

MASHD_ARGS="--clock-rate 3600" # one real second is one hour
start_mashd
start_hub
for a in police health education; do
  start_agency "$a" --records "$AGENCY_EXAMPLES/$a-records.json"
done
start_agency housing --manual "$T/housing/manual" # people answer: late
police_submit "$EXAMPLES/dash-high.json" >/dev/null || fail "submit"
wait_for 20 "the contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"
screen_red MASH-000001 police,health,education,housing >/dev/null || fail "screen"

req=$(sql "SELECT request_id FROM requests WHERE agency = 'housing'")
wait_for 30 "the partial pack" pack_ready ENQ-000001 1
grep -q '"partial": *true' "$(pack_file ENQ-000001 1)" || fail "pack v1 should be partial"
tr -d ' \n' <"$(pack_file ENQ-000001 1)" | grep -q '"missing_agencies":\["housing"\]' ||
  fail "housing should be missing: $(grep -A2 missing "$(pack_file ENQ-000001 1)")"

# The instants: each step within 30 minutes of clock time (half a real second)
# after it fell due.
read -r start due <<<"$(sql "SELECT requested_at_ms, due_at_ms FROM requests WHERE request_id = '$req'" | tr '|' ' ')"
window=$((due - start))
[ "$window" = 14400000 ] || fail "red window is $window ms, expected 4 h"
for spec in "1 750" "2 1000" "3 1500"; do
  read -r level permille <<<"$spec"
  at=$(sql "SELECT at_ms FROM escalations WHERE request_id = '$req' AND level = $level")
  [ -n "$at" ] || fail "no level $level escalation"
  want=$((start + window * permille / 1000))
  [ "$at" -ge "$want" ] && [ "$at" -le $((want + 1800000)) ] ||
    fail "level $level at $at, expected $want (+30 min)"
done
[ "$(sql "SELECT count(*) FROM escalations WHERE request_id <> '$req'")" = 0 ] ||
  fail "agencies that answered were escalated"
# The reminder goes to the agency; the later steps to the hub desk too.
wait_for 10 "the reminder at housing" grep -q "ESCALATION level 1 reminder" "$T/housing.out"
# Worded by the broker's clock: the reminder's deadline is still to come.
grep -q "ESCALATION level 1 reminder: .* falls due at " "$T/housing.out" ||
  fail "reminder wording: $(grep ESCALATION "$T/housing.out")"
wait_for 10 "the overdue step at housing" grep -q "ESCALATION level 2 overdue: .* was due at " "$T/housing.out"
wait_for 10 "the escalation at the desk" grep -q '"level":2' "$T/hub.out"
if grep -q '"type":"escalation".*"level":1,' "$T/hub.out"; then fail "the reminder reached the hub"; fi

# Housing answers late: accepted, and the pack re-issued complete.
mkdir -p "$T/housing/manual/answers"
cat >"$T/housing/manual/answers/.$req.tmp" <<JSON
{"no_information_held": false, "responder": "Housing duty officer",
 "summary": "Tenancy held by the mother since 2021; rent arrears of 900 pounds; one noise complaint.",
 "findings": [{"kind": "tenancy", "summary": "Secure tenancy since 2021", "at": "2021-04-01T00:00:00Z"}]}
JSON
mv "$T/housing/manual/answers/.$req.tmp" "$T/housing/manual/answers/$req.json"
wait_for 30 "the re-issued pack" pack_ready ENQ-000001 2
grep -q '"partial": *false' "$(pack_file ENQ-000001 2)" || fail "pack v2 should be complete"

# The escalation log holds the steps, chained; an edit is found.
wait_for 20 "the escalation log to catch up with the store" esclog_caught_up
"$B/ops/mashctl" --data "$T/mashd" verify | grep -q "^ok" || fail "chain does not verify"
lines=$(wc -l <"$T/mashd/escalations.log")
[ "$lines" -ge 3 ] || fail "escalation log has $lines lines"
sed -i '1s/"level":1/"level":9/' "$T/mashd/escalations.log"
out=$("$B/ops/mashctl" --data "$T/mashd" verify) && fail "an edited log verified: $out"
grep -q "line" <<<"$out" || fail "verify does not say where: $out"
log "ok"
