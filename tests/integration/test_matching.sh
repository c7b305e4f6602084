#!/usr/bin/env bash
# Person matching a hub can trust (issue 9), over real processes and a real
# store:
# - a mention without a date of birth links to the child it names;
# - a boy carrying his sister's NHS number is an identifier conflict: flagged
#   at the desk, sent to review, not linked to her;
# - while a possible match awaits review, later mentions join its cluster
#   instead of making new records and new reviews;
# - a typo in the enquiry's subject is answered from the agency's records
#   (not "no information held");
# - a merge confirmed at the desk re-issues the pack of the open enquiry, and
#   the desk's own copies of the contacts name the surviving person.
. "$(dirname "$0")/lib.sh" "$1"

# notification FILE AGENCY GIVEN FAMILY DOB NHS SEX: one child at the
# Hartleys' address; police notifications carry the police detail.
notification() {
  local file=$1 agency=$2 given=$3 family=$4 dob=$5 nhs=$6 sex=$7 detail="" id=""
  [ -z "$nhs" ] || id="\"nhs_number\": \"$nhs\","
  if [ "$agency" = police ]; then
    detail='"incident": {"number": "INC-2026-09-0011", "time": "2026-08-30T22:00:00Z"},
      "officer": {"name": "PC 4411 Sam Okafor", "contact": "sam.okafor@police.example.uk"},
      "formal_referral": true, "grade": "standard",'
  else
    detail='"detail": {"kind": "unscheduled_care", "setting": "Exampleton General ED",
      "attended_at": "2026-08-30T22:00:00Z", "practitioner": "Dr Nair"},'
  fi
  cat >"$file" <<EOF
{
  "reference": "REF-$agency-$given-$RANDOM",
  "category": "neglect",
  "concern": "Concern raised for $given.",
  "occurred_at": "2026-08-30T22:00:00Z",
  $detail
  "children": [
    { "ref": "c1", "given_name": "$given", "family_name": "$family", "dob": "$dob",
      "sex": "$sex", $id
      "address": { "lines": ["Flat 3", "12 Canal Street"], "town": "Exampleton", "postcode": "EX1 2AB" } }
  ]
}
EOF
}

submit() { # submit AGENCY FILE CONTACT: submits and checks the contact id
  local out
  # shellcheck disable=SC2046
  out=$("$B/agents/mash-$1" submit --timeout 30 $(agent_opts "$1") "$2" 2>>"$T/$1.log") ||
    fail "submit $2: $out"
  grep -q "accepted as $3" <<<"$out" || fail "expected $3 for $2: $out"
}

person_of() { sql "SELECT person FROM person_links WHERE contact_id = '$1' AND ref = 'c1'"; }
decision_of() { sql "SELECT decision FROM person_links WHERE contact_id = '$1' AND ref = 'c1'"; }

MASHD_ARGS="--clock-start 2026-09-01T09:00:00Z" start_mashd
start_hub

# 1. No date of birth: police at the scene did not get one. It links.
notification "$T/maya-health.json" health Maya Hartley 2019-03-01 "943 476 5919" female
submit health "$T/maya-health.json" MASH-000001
notification "$T/maya-nodob.json" police Maya Hartley "" "" female
submit police "$T/maya-nodob.json" MASH-000002
maya=$(person_of MASH-000001)
[ "$(person_of MASH-000002)" = "$maya" ] ||
  fail "the mention without a dob made a new person: $(sql 'SELECT * FROM person_links')"
[ "$(decision_of MASH-000002)" = auto_link ] || fail "expected an auto-link: $(decision_of MASH-000002)"
sql "SELECT why FROM person_links WHERE contact_id = 'MASH-000002'" | grep -q "dob" &&
  fail "a missing dob counted: $(sql "SELECT why FROM person_links WHERE contact_id = 'MASH-000002'")"

# 2. A boy with his sister's NHS number: a conflict for the desk, not a link.
notification "$T/jayden.json" police Jayden Hartley 2012-02-03 "9434765919" male
submit police "$T/jayden.json" MASH-000003
[ "$(person_of MASH-000003)" != "$maya" ] || fail "Jayden was linked to Maya by her NHS number"
[ "$(decision_of MASH-000003)" = possible ] || fail "the conflict is not a possible match"
sql "SELECT why FROM person_links WHERE contact_id = 'MASH-000003'" | grep -q identifier_conflict ||
  fail "the link does not say identifier_conflict"
[ "$(sql "SELECT count(*) FROM matches WHERE state = 0 AND contact_id = 'MASH-000003'")" = 1 ] ||
  fail "no review opened for the conflict"
wait_for 20 "Jayden's contact at the desk" grep -q '"contact_id":"MASH-000003"' "$T/hub.out"
grep '"contact_id":"MASH-000003"' "$T/hub.out" | grep -q identifier_conflict ||
  fail "the desk was not told of the conflict: $(grep MASH-000003 "$T/hub.out")"

# 3. The pending-review cascade: a possible match, then more mentions of the
# same child. They join the cluster; no new records, no new reviews.
notification "$T/slip.json" police Maya Hatrley 2019-10-21 "" female
submit police "$T/slip.json" MASH-000004
[ "$(decision_of MASH-000004)" = possible ] || fail "expected a possible match: $(decision_of MASH-000004)"
slip=$(person_of MASH-000004)
persons=$(sql "SELECT count(*) FROM persons")
open=$(sql "SELECT count(*) FROM matches WHERE state = 0")
notification "$T/slip2.json" police Maya Hatrley 2019-10-21 "" female
submit police "$T/slip2.json" MASH-000005
notification "$T/nodob2.json" health Maya Hartley "" "" female
submit health "$T/nodob2.json" MASH-000006
[ "$(sql "SELECT count(*) FROM persons")" = "$persons" ] ||
  fail "mentions under review made new records: $(sql 'SELECT * FROM person_links')"
[ "$(sql "SELECT count(*) FROM matches WHERE state = 0")" = "$open" ] ||
  fail "mentions under review opened new reviews: $(sql 'SELECT id, contact_id, why FROM matches')"
for c in MASH-000005 MASH-000006; do
  p=$(person_of $c)
  [ "$p" = "$slip" ] || [ "$p" = "$maya" ] || fail "$c left the cluster: $p"
done

# 4. A typo in the enquiry: housing holds "Maya Hartley", the contact says
# "Maia". The answer comes from the records, by the weighted comparison.
notification "$T/maia.json" police Maia Hartley 2019-03-01 "" female
submit police "$T/maia.json" MASH-000007
start_agency housing --records "$AGENCY_EXAMPLES/housing-records.json"
wait_for 20 "the typo contact at the desk" grep -q '"contact_id":"MASH-000007"' "$T/hub.out"
out=$(screen_red MASH-000007 housing) || fail "screen: $out"
wait_for 30 "the consolidated pack" pack_ready ENQ-000001 1
pack=$(tr -d '\n' <"$(pack_file ENQ-000001 1)")
grep -q "Rent arrears" <<<"$pack" ||
  fail "the typo was answered 'no information held': $(echo "$pack" | grep -o '"summary":"[^"]*"' | head -5)"
grep -q "by weighted comparison" <<<"$pack" || fail "the answer does not say how it matched"

# 5. The desk confirms the possible match: the pack is issued again.
held() { hub list | grep "$1"; }
maya_id=$(printf 'P-%06d' "$maya") slip_id=$(printf 'P-%06d' "$slip")
on_own_record() { held MASH-000004 | grep -q "c1=$slip_id "; }
wait_for 30 "the desk holding MASH-000004 on its own record $slip_id" on_own_record
mid=$(sql "SELECT id FROM matches WHERE contact_id = 'MASH-000004'")
out=$(hub match confirm "$(printf 'M-%06d' "$mid")" --by "Duty social worker" \
  --rationale "dob keyed wrongly") || fail "confirm: $out"
[ "$(person_of MASH-000004)" = "$maya" ] || fail "the confirmed records were not merged"
# The decision is a line of the desk's access log (issue 13), chained.
python3 - "$T/hub/access.log" "$(printf 'M-%06d' "$mid")" "$(id -un)" <<'PY' ||
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
m = [o for o in lines if o["action"] == "match_confirm"]
assert len(m) == 1, lines
o = m[0]
assert o["match_id"] == sys.argv[2] and o["result"] == "accepted", o
assert o["staff"] == "Duty social worker" and o["os_user"] == sys.argv[3], o
PY
  fail "the confirmation is not in the access log: $(cat "$T/hub/access.log")"
hub verify >/dev/null || fail "the access log does not verify after a match decision"
wait_for 30 "the re-issued pack" pack_ready ENQ-000001 2

# 6. The desk's own copy of the contacts follows the merge: MASH-000004 (the
# confirmed record) and MASH-000005, which joined its cluster while the
# review was pending, now name Maya's record, and say which match did it.
relinked() { held "$1" | grep -q "c1=$maya_id "; }
[ "$slip" != "$maya" ] || fail "the test expects the possible match on its own record"
for c in MASH-000004 MASH-000005; do
  wait_for 30 "the desk's contact $c re-linked to $maya_id (holds: $(held $c))" relinked $c
done
held MASH-000001 | grep -q "c1=$maya_id " || fail "the desk changed an unrelated link: $(held MASH-000001)"
grep '"type":"match_outcome"' "$T/hub.out" | grep "\"match_id\":\"M-$(printf '%06d' "$mid")\"" |
  grep -q "\"merged_person_id\":\"$slip_id\"" || fail "the desk did not say what changed"
[ -z "$(hub matches | grep "M-$(printf '%06d' "$mid")")" ] || fail "the confirmed match is still open"
log "ok"
