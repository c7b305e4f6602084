#!/usr/bin/env bash
# A broker restart between a deadline and its escalation fires what fell due
# while it was down, once: not lost, not twice (a second restart adds none).
. "$(dirname "$0")/lib.sh" "$1"

MASHD_ARGS="--clock-rate 3600" # one real second is one hour
start_mashd
start_hub
start_agency police --records "$AGENCY_EXAMPLES/police-records.json"
start_agency housing --manual "$T/housing/manual"
police_submit "$EXAMPLES/dash-high.json" >/dev/null || fail "submit"
wait_for 20 "the contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"
screen_red MASH-000001 police,housing >/dev/null || fail "screen"
req=$(sql "SELECT request_id FROM requests WHERE agency = 'housing'")
stop mashd KILL
[ "$(sql 'SELECT count(*) FROM escalations')" = 0 ] || fail "escalated before the restart"

# Down until the clock has passed the deadline (4 h of clock = 4 s).
read -r rate real0 virt0 <"$T/mashd/clock"
due=$(sql "SELECT due_at_ms FROM requests WHERE request_id = '$req'")
real_due=$(awk -v r="$rate" -v a="$real0" -v v="$virt0" -v d="$due" 'BEGIN{printf "%.0f", a + (d - v) / r}')
past_due() { [ "$(date +%s%3N)" -gt $((real_due + 200)) ]; }
wait_for 30 "the deadline to pass while the broker is down" past_due

start_mashd
# (a function: wait_for must re-run the query, not compare a value taken once)
overdue_fired() {
  [ "$(sql "SELECT count(*) FROM escalations WHERE request_id = '$req' AND level = 2")" = 1 ]
}
wait_for 10 "the overdue step after restart" overdue_fired
[ "$(sql "SELECT count(*) FROM escalations WHERE request_id = '$req' AND level = 1")" = 1 ] ||
  fail "the reminder should have fired once"
# (levels 1 and 2 only: level 3, at 150% of the window, may follow at any moment)
steps12() {
  grep -c "\"level\":[12],.*\"request_id\":\"$req\"" "$T/mashd/escalations.log" || true
}
wait_for 20 "the escalation log to catch up with the store" esclog_caught_up
[ "$(steps12)" = 2 ] || fail "escalation log: $(cat "$T/mashd/escalations.log")"

# Restart again at once: nothing fires twice.
stop mashd KILL
start_mashd
watched() { [ "$(count_in "$T/mashd.log" "open duty(ies) on the timetable")" -ge 2 ]; }
wait_for 10 "the watch after the second restart" watched
[ "$(sql "SELECT count(*) FROM escalations WHERE request_id = '$req' AND level <= 2")" = 2 ] ||
  fail "a step fired twice"
wait_for 20 "the escalation log to catch up with the store" esclog_caught_up
[ "$(steps12)" = 2 ] || fail "the log has a step twice"
log "ok"
