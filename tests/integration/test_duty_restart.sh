#!/usr/bin/env bash
# A restart with open duties of every kind: an unscreened contact (screening),
# a contact screened blue and not decided (decision) and an unanswered agency
# request. The broker is killed, stays down past every deadline, and on start
# loads the open duties from the store's open-duty index and fires what fell
# due while it was down, once each; a second restart fires nothing again.
. "$(dirname "$0")/lib.sh" "$1"

cat >"$T/mashd.ini" <<'INI'
[mashd]
screening_minutes = 60
decision_minutes = 60
red_minutes = 60
INI
# Monday 09:00; one real second is five minutes of clock.
MASHD_ARGS="--clock-rate 300 --clock-start 2026-03-02T09:00:00Z --config $T/mashd.ini"
start_mashd
start_hub
for n in 1 2 3; do
  make_notification "$n" "$T/n$n.json"
  police_submit "$T/n$n.json" >/dev/null || fail "submit $n"
done
wait_for 20 "three contacts at the desk" grep -q '"contact_id":"MASH-000003"' "$T/hub.out"
hub screen MASH-000002 --rag blue --consent not_sought --reason "information only" \
  --basis safeguarding --by "Duty social worker" >/dev/null || fail "screen blue"
screen_red MASH-000003 housing >/dev/null || fail "screen red"
req=$(sql "SELECT request_id FROM requests WHERE agency = 'housing'")
stop mashd KILL
[ "$(sql 'SELECT count(*) FROM duties WHERE done_at_ms = 0')" = 3 ] ||
  fail "expected three open duties: $(sql 'SELECT * FROM duties')"
# (the deadlines come 60 clock minutes, twelve real seconds, after each start)
[ "$(sql 'SELECT count(*) FROM escalations WHERE level >= 2')" = 0 ] ||
  fail "a deadline passed before the broker was stopped: too slow a machine for this test"

# Down until the clock is past every deadline (the latest due + 5 min).
read -r rate real0 virt0 <"$T/mashd/clock"
due=$(sql "SELECT MAX(due_ms) FROM duties WHERE done_at_ms = 0")
real_due=$(awk -v r="$rate" -v a="$real0" -v v="$virt0" -v d="$due" 'BEGIN{printf "%.0f", a + (d - v) / r}')
past_due() { [ "$(date +%s%3N)" -gt $((real_due + 500)) ]; }
wait_for 60 "every deadline to pass while the broker is down" past_due

start_mashd
ids="MASH-000001-S MASH-000002-D $req"
fired() { # fired ID LEVEL: the step is in the store once
  [ "$(sql "SELECT count(*) FROM escalations WHERE escalation_id = '$1-L$2'")" = 1 ]
}
all_fired() {
  for id in $ids; do fired "$id" 1 && fired "$id" 2 || return 1; done
}
wait_for 20 "levels 1 and 2 of every duty after the restart" all_fired
wait_for 20 "the escalation log to catch up with the store" esclog_caught_up
in_log() { grep -c "\"escalation_id\":\"$1-L$2\"" "$T/mashd/escalations.log" || true; }
for id in $ids; do
  for level in 1 2; do
    [ "$(in_log "$id" "$level")" = 1 ] || fail "$id level $level is in the log $(in_log "$id" "$level") times"
  done
done
grep -q "open duty(ies) on the timetable" "$T/mashd.log" || fail "the start-up did not load the duties"

# Again at once: nothing of levels 1-2 fires twice.
stop mashd KILL
start_mashd
loaded() { [ "$(count_in "$T/mashd.log" "open duty(ies) on the timetable")" -ge 2 ]; }
wait_for 10 "the timetable after the second restart" loaded
wait_for 20 "the escalation log to catch up with the store" esclog_caught_up
for id in $ids; do
  for level in 1 2; do
    [ "$(sql "SELECT count(*) FROM escalations WHERE escalation_id = '$id-L$level'")" = 1 ] ||
      fail "$id level $level fired twice"
    [ "$(in_log "$id" "$level")" = 1 ] || fail "$id level $level twice in the log"
  done
done
"$B/ops/mashctl" --data "$T/mashd" verify | grep -q "^ok" || fail "the log does not verify"
log "ok"
