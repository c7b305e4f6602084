#!/usr/bin/env bash
# mashctl stats: management information from the store, checked against a
# scripted scenario whose answers are known.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
start_hub
start_agency police --records "$AGENCY_EXAMPLES/police-records.json"
start_agency health --records "$AGENCY_EXAMPLES/health-records.json"
# Three police notifications: domestic abuse with a complete DASH, domestic
# abuse without one, neglect; and one from health.
police_submit "$EXAMPLES/dash-high.json" "$EXAMPLES/dash-missing.json" \
  "$EXAMPLES/info-only.json" >/dev/null || fail "police submit"
# shellcheck disable=SC2046
"$B/agents/mash-health" submit --timeout 30 $(agent_opts health) \
  "$AGENCY_EXAMPLES/health-notification.json" >/dev/null 2>>"$T/health.log" || fail "health submit"
wait_for 20 "four contacts at the desk" hub_has 4
hub screen MASH-000001 --rag red --ask police,health --consent not_sought \
  --reason "risk to the children" --basis safeguarding --by "Duty" >/dev/null || fail "screen"
wait_for 30 "the pack" pack_ready ENQ-000001 1
hub decide MASH-000001 --outcome strategy_discussion --by "Manager" >/dev/null || fail "decide"

stats=$("$B/ops/mashctl" --data "$T/mashd" stats --json) || fail "mashctl stats"
expect() { echo "$stats" | grep -qF -- "$1" || fail "stats lack $1: $stats"; }
expect '"contacts":4,'
expect '"contacts_by_source":{"health":1,"police":3}'
expect '"dash_completeness_pct":50.0'
expect '"consent_recorded_pct":100.0'
expect '"open_enquiries":0'
expect '"overdue_requests":0'
expect '"escalations_by_level":{}'
expect '"health":{"red":{"asked":1,"n":1,'
expect '"police":{"red":{"asked":1,"n":1,'
expect '"time_to_screen":{"n":1,'
expect '"time_to_pack":{"n":1,'
expect '"time_to_decision":{"n":1,'
expect '"oldest_open":{"age_ms":'
expect '"contact_id":"MASH-000002"}'
# The DASH-high example's officer graded medium below the checklist's high;
# the second has no DASH; no identity is in doubt.
expect '"quality_flags":{"dash_missing":1,"grade_below_checklist":1}'
expect '"possible_match_backlog":0'
expect '"resolution_backlog":0'
# The readable form says the same.
"$B/ops/mashctl" --data "$T/mashd" stats | grep -q "DASH complete on domestic-abuse notifications: 50.0%" ||
  fail "readable stats"
log "ok"
