#!/usr/bin/env bash
# Adding an agency is configuration: a probation key in the trust list and
# mash-agency --agency probation. It can be asked in a screening and its
# answer reaches the pack; no broker change.
. "$(dirname "$0")/lib.sh" "$1"

keygen probation agency trusted
start_mashd
start_hub
start_agency police --records "$AGENCY_EXAMPLES/police-records.json"
# The generic program, told which agency it is.
: >"$T/probation.out"
# shellcheck disable=SC2046
"$B/agents/mash-agency" --agency probation run --spool "$T/probation/spool" \
  --records "$AGENCY_EXAMPLES/health-records.json" $(agent_opts probation) \
  >>"$T/probation.out" 2>>"$T/probation.log" &
PID[probation]=$!
wait_for 15 "the probation adapter" grep -q "watching" "$T/probation.out"

police_submit "$EXAMPLES/dash-high.json" >/dev/null || fail "submit"
wait_for 20 "the contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"
out=$(hub screen MASH-000001 --rag amber --ask police,probation --consent given \
  --basis public_task --by "Duty social worker") || fail "screen: $out"
wait_for 30 "the pack" pack_ready ENQ-000001 1
tr -d ' \n' <"$(pack_file ENQ-000001 1)" | grep -q '"agency":"probation"' ||
  fail "no probation answer in the pack"
grep -q '"partial": *false' "$(pack_file ENQ-000001 1)" || fail "pack should be complete"
# Amber counts working hours: its deadline is later than red's 4 hours would be.
read -r start due <<<"$(sql "SELECT requested_at_ms, due_at_ms FROM requests WHERE agency = 'probation'" | tr '|' ' ')"
[ $((due - start)) -gt 14400000 ] || fail "amber window of $((due - start)) ms"
# An agency that is not in the trust list cannot be asked.
make_notification 2 "$T/second.json"
police_submit "$T/second.json" >/dev/null || fail "submit 2"
out=$(hub screen MASH-000002 --rag red --ask youth-offending --consent given --basis public_task \
  --by "Duty social worker") && fail "an unknown agency was asked: $out"
grep -q "not an agency in the broker's trust list" <<<"$out" || fail "unknown agency: $out"
log "ok"
