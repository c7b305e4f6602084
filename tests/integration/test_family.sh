#!/usr/bin/env bash
# Who is this child? Over real processes and a real store:
# - a sibling (Leo) notified in March appears, with that contact, in the pack
#   of an enquiry about his sister (Maya) in September;
# - health sends Maya with her NHS number, police with name, date of birth
#   and postcode and a typo in the surname: one person;
# - a record whose date of birth disagrees goes to the possible-match
#   list, and the hub desk confirms it.
. "$(dirname "$0")/lib.sh" "$1"

# notification FILE AGENCY REF GIVEN FAMILY DOB NHS DAY: one child at the
# Hartleys' address, about something on DAY; police notifications carry the
# police detail.
notification() {
  local file=$1 agency=$2 ref=$3 given=$4 family=$5 dob=$6 nhs=$7 day=$8 detail=""
  local id=""
  [ -z "$nhs" ] || id="\"nhs_number\": \"$nhs\","
  if [ "$agency" = police ]; then
    detail='"incident": {"number": "INC-2026-09-0007", "time": "2026-08-30T22:00:00Z"},
      "officer": {"name": "PC 4411 Sam Okafor", "contact": "sam.okafor@police.example.uk"},
      "formal_referral": true, "domestic_abuse": true, "grade": "medium",'
  else
    detail='"detail": {"kind": "unscheduled_care", "setting": "Exampleton General ED",
      "attended_at": "2026-08-30T22:00:00Z", "practitioner": "Dr Nair"},'
  fi
  cat >"$file" <<EOF
{
  "reference": "REF-$agency-$ref-$given",
  "category": "domestic_abuse",
  "concern": "Concern raised for $given.",
  "occurred_at": "${day}T22:00:00Z",
  $detail
  "children": [
    { "ref": "$ref", "given_name": "$given", "family_name": "$family", "dob": "$dob",
      "sex": "$( [ "$given" = Leo ] && echo male || echo female)", $id
      "address": { "lines": ["Flat 3", "12 Canal Street"], "town": "Exampleton", "postcode": "EX1 2AB" } }
  ]
}
EOF
}

submit() { # submit AGENCY FILE: prints the receipt
  # shellcheck disable=SC2046
  "$B/agents/mash-$1" submit --timeout 30 $(agent_opts "$1") "$2" 2>>"$T/$1.log"
}

person_of() { # person_of CONTACT REF: the person record (its number) a contact's ref is linked to
  sql "SELECT person FROM person_links WHERE contact_id = '$1' AND ref = '$2'"
}

# March: Leo, from health.
MASHD_ARGS="--clock-start 2026-03-02T09:00:00Z" start_mashd
start_hub
notification "$T/leo.json" health c1 Leo Hartley 2024-07-15 "401 023 2137" 2026-02-28
out=$(submit health "$T/leo.json") || fail "Leo: $out"
grep -q "accepted as MASH-000001" <<<"$out" || fail "Leo: $out"
wait_for 20 "Leo's contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"
stop mashd

# September: the broker's clock moves on six months.
MASHD_ARGS="--clock-start 2026-09-01T09:00:00Z" start_mashd
grep -q "it reads 2026-09-01" "$T/mashd.log" || fail "the clock did not move to September"

# Maya from health with her NHS number, then from police with a typo.
notification "$T/maya-health.json" health c1 Maya Hartley 2019-03-01 "943 476 5919" 2026-08-29
out=$(submit health "$T/maya-health.json") || fail "Maya (health): $out"
grep -q "accepted as MASH-000002" <<<"$out" || fail "Maya (health): $out"
notification "$T/maya-police.json" police c1 Maya Hatrley 2019-03-01 "" 2026-08-31
out=$(submit police "$T/maya-police.json") || fail "Maya (police): $out"
grep -q "accepted as MASH-000003" <<<"$out" || fail "Maya (police): $out"
maya=$(person_of MASH-000002 c1)
[ -n "$maya" ] && [ "$(person_of MASH-000003 c1)" = "$maya" ] ||
  fail "Maya is two people: $(sql 'SELECT * FROM person_links')"
[ "$(sql "SELECT decision FROM person_links WHERE contact_id = 'MASH-000003'")" = auto_link ] ||
  fail "expected an auto-link: $(sql 'SELECT * FROM person_links')"
sql "SELECT why FROM person_links WHERE contact_id = 'MASH-000003'" | grep -q "surname~1" ||
  fail "the link does not say why"
[ "$(person_of MASH-000001 c1)" != "$maya" ] || fail "Leo and Maya were merged"
# The desk is told, with the reason.
wait_for 20 "the police contact at the desk" grep -q '"contact_id":"MASH-000003"' "$T/hub.out"
grep '"contact_id":"MASH-000003"' "$T/hub.out" | grep -q '"decision":"auto_link"' ||
  fail "the desk did not get the link: $(grep MASH-000003 "$T/hub.out")"

# The enquiry about Maya: the pack lists Leo and his March contact.
start_agency health --records "$AGENCY_EXAMPLES/health-records.json"
out=$(screen_red MASH-000003 health) || fail "screen: $out"
wait_for 30 "the consolidated pack" pack_ready ENQ-000001 1
pack=$(tr -d ' \n' <"$(pack_file ENQ-000001 1)")
grep -q '"household":\[{[^]]*"given_name":"Leo"' <<<"$pack" ||
  fail "Leo is not in the pack's household: $(echo "$pack" | grep -o '"household":[^]]*]')"
grep -q '"prior_contacts":\[{"contact_id":"MASH-000001","source_principal":"health","received_at":"2026-03-02T' <<<"$pack" ||
  fail "Leo's March contact is not a prior contact: $(echo "$pack" | grep -o '"prior_contacts":[^]]*]')"
grep -q '"contact_id":"MASH-000002"' <<<"$pack" || fail "Maya's health contact is not a prior contact"
# Three domestic-abuse incidents in 12 months (February, and two in August).
grep -q '"potential_escalation":true' <<<"$pack" || fail "no potential escalation flagged"

# A date of birth one digit off now links (issue 9: the evidence of name,
# sex and address outweighs one slip); a date of birth wholly different and
# a surname typo is a new record and a possible match.
notification "$T/maya-slip.json" police c1 Maya Hatrley 2019-10-21 "" 2026-08-31
out=$(submit police "$T/maya-slip.json") || fail "slip: $out"
grep -q "accepted as MASH-000004" <<<"$out" || fail "slip: $out"
[ "$(sql "SELECT decision FROM person_links WHERE contact_id = 'MASH-000004'")" = possible ] ||
  fail "expected a possible match: $(sql 'SELECT * FROM person_links')"
[ "$(sql 'SELECT count(*) FROM matches WHERE state = 0')" = 1 ] || fail "no open match"
[ "$(person_of MASH-000004 c1)" != "$maya" ] || fail "a possible match was merged silently"
"$B/ops/mashctl" --data "$T/mashd" stats --json | grep -qF '"possible_match_backlog":1' ||
  fail "the backlog does not count the open match"

# The desk's review list shows it, without names; the worker confirms it.
wait_for 20 "the slip at the desk" grep -q '"contact_id":"MASH-000004"' "$T/hub.out"
out=$(hub matches) || fail "matches: $out"
grep -q "M-000001  MASH-000004 c1 -> $(printf 'P-%06d' "$maya")" <<<"$out" ||
  fail "review list: $out"
if grep -q "Maya\|Hartley" <<<"$out"; then fail "the review list names the child: $out"; fi
slip=$(person_of MASH-000004 c1)
out=$(hub match confirm M-000001 --by "Duty social worker" --rationale "dob keyed wrongly") ||
  fail "confirm: $out"
[ "$(sql "SELECT state FROM matches WHERE id = 1")" = 1 ] || fail "the match is not confirmed"
[ "$(person_of MASH-000004 c1)" = "$maya" ] || fail "the confirmed records were not merged"
sql "SELECT why FROM person_links WHERE contact_id = 'MASH-000004'" |
  grep -q "confirmed M-000001 by hub" || fail "the merge does not say who confirmed"
[ "$(sql "SELECT merged_into FROM persons WHERE id = $slip")" = "$maya" ] ||
  fail "the new record is not marked merged"
[ -z "$(hub matches)" ] || fail "the confirmed match is still listed: $(hub matches)"
out=$(hub match reject M-000001 --by "Team manager") && fail "decided twice: $out"
grep -q "already been decided" <<<"$out" || fail "second decision: $out"
"$B/ops/mashctl" --data "$T/mashd" stats --json | grep -qF '"possible_match_backlog":0' ||
  fail "the backlog still counts the confirmed match"
log "ok"
