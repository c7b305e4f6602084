#!/usr/bin/env bash
# The hub's own deadlines have ladders too. A contact left unscreened is
# escalated on the screening ladder (duty worker, team manager, head of
# service) at 75%, 100% and 150% of its window; screening ends it. A decision
# without a screening is refused with a field error (blue included: a blue
# screening first, then the decision is accepted). A contact screened and not
# decided is escalated on the decision ladder, whose window counts working
# time (decision_minutes is used). Each step is in the store, in the
# escalation log (with its duty) and at the desk; mashctl stats counts them.
. "$(dirname "$0")/lib.sh" "$1"

# Monday 09:00; one real second is ten minutes. Short windows keep it quick:
# screening 60 min round the clock, decision 60 working minutes.
cat >"$T/mashd.ini" <<'INI'
[mashd]
screening_minutes = 60
decision_minutes = 60
INI
MASHD_ARGS="--clock-rate 600 --clock-start 2026-03-02T09:00:00Z --config $T/mashd.ini"
start_mashd
start_hub
police_submit "$EXAMPLES/dash-high.json" >/dev/null || fail "submit 1"
make_notification second "$T/second.json"
police_submit "$T/second.json" >/dev/null || fail "submit 2"
wait_for 20 "both contacts at the desk" grep -q '"contact_id":"MASH-000002"' "$T/hub.out"

# The screening deadline went through the calendar policy (60 min, wall clock).
read -r start due <<<"$(sql "SELECT start_ms, due_ms FROM duties WHERE kind = 2 AND ref = 'MASH-000001'" | tr '|' ' ')"
[ $((due - start)) = 3600000 ] || fail "screening window is $((due - start)) ms, expected 60 min"

# A decision before any screening is refused, with the field named.
out=$(hub decide MASH-000002 --outcome early_help --by "Team manager") && fail "decided unscreened: $out"
grep -q "outcome.contact_id" <<<"$out" || fail "no field error: $out"
grep -q "not been screened" <<<"$out" || fail "refusal does not say why: $out"
[ "$(sql "SELECT state FROM contacts WHERE contact_id = 'MASH-000002'")" = 0 ] ||
  fail "the refused decision changed the contact"

# Contact 2: blue (no enquiry); the decision window opens at the screening.
hub screen MASH-000002 --rag blue --consent not_sought --reason "information only" \
  --basis safeguarding --by "Duty social worker" >/dev/null || fail "screen blue"
[ "$(sql "SELECT done_at_ms > 0 FROM duties WHERE kind = 2 AND ref = 'MASH-000002'")" = 1 ] ||
  fail "screening did not end the screening duty"
[ "$(sql "SELECT count(*) FROM duties WHERE kind = 3 AND ref = 'MASH-000002' AND done_at_ms = 0")" = 1 ] ||
  fail "no decision duty after a blue screening"

# Contact 1 is never screened: the screening ladder runs to its third step.
level3() { [ "$(sql "SELECT count(*) FROM escalations WHERE escalation_id = 'MASH-000001-S-L3'")" = 1 ]; }
wait_for 30 "the screening ladder's third step" level3
for spec in "1 750" "2 1000" "3 1500"; do
  read -r level permille <<<"$spec"
  at=$(sql "SELECT at_ms FROM escalations WHERE escalation_id = 'MASH-000001-S-L$level'")
  [ -n "$at" ] || fail "no screening level $level"
  want=$((start + (due - start) * permille / 1000))
  # Within 20 minutes of clock time (two real seconds) after it fell due.
  [ "$at" -ge "$want" ] && [ "$at" -le $((want + 1200000)) ] ||
    fail "screening level $level at $at, expected $want (+20 min)"
done
wait_for 20 "the escalation log to catch up with the store" esclog_caught_up
grep -q '"duty":"screening".*"escalation_id":"MASH-000001-S-L1".*hub_duty_worker' "$T/mashd/escalations.log" ||
  grep -q '"escalation_id":"MASH-000001-S-L1".*hub_duty_worker' "$T/mashd/escalations.log" ||
  fail "the reminder is not in the escalation log"
grep -q '"duty":"screening"' "$T/mashd/escalations.log" || fail "log lines do not name the duty"
wait_for 10 "the screening escalation at the desk" \
  grep -q '"type":"escalation".*"contact_id":"MASH-000001".*"duty":"screening"' "$T/hub.out"

# The desk's queue reads ages and OVERDUE by the broker's clock (March), not
# the wall's: contact 1 is about an hour and a half old, and overdue.
q=$(hub queue --json | grep '"contact_id":"MASH-000001"') || fail "contact 1 not in the queue"
age=$(echo "$q" | sed -n 's/.*"age_ms":\([0-9]*\).*/\1/p')
[ -n "$age" ] && [ "$age" -ge 5400000 ] && [ "$age" -lt 14400000 ] || fail "age by the wrong clock: $q"
grep -q '"overdue":true' <<<"$q" || fail "not overdue by the broker's clock: $q"

# Contact 2's decision ladder, in working time.
dlevel2() { [ "$(sql "SELECT count(*) FROM escalations WHERE escalation_id = 'MASH-000002-D-L2'")" = 1 ]; }
wait_for 30 "the decision ladder's overdue step" dlevel2
read -r dstart ddue <<<"$(sql "SELECT start_ms, due_ms FROM duties WHERE kind = 3 AND ref = 'MASH-000002'" | tr '|' ' ')"
[ $((ddue - dstart)) = 3600000 ] || fail "decision window $((ddue - dstart)) ms (Monday morning: 60 min)"
wait_for 10 "the decision escalation at the desk" \
  grep -q '"type":"escalation".*"contact_id":"MASH-000002".*"duty":"decision"' "$T/hub.out"

# Deciding ends the decision duty; screening contact 1 ends its ladder.
hub decide MASH-000002 --outcome no_further_action --by "Team manager" >/dev/null || fail "decide"
[ "$(sql "SELECT done_at_ms > 0 FROM duties WHERE kind = 3 AND ref = 'MASH-000002'")" = 1 ] ||
  fail "the decision did not end the decision duty"
screen_red MASH-000001 police >/dev/null || fail "screen 1"
[ "$(sql "SELECT done_at_ms > 0 FROM duties WHERE kind = 2 AND ref = 'MASH-000001'")" = 1 ] ||
  fail "the late screening did not end the screening duty"

# Statistics: screened within the window and decided within the window.
stats=$("$B/ops/mashctl" --data "$T/mashd" stats) || fail "mashctl stats"
grep -q "screened within the window" <<<"$stats" || fail "no screening figure: $stats"
grep -q "decided within the window" <<<"$stats" || fail "no decision figure: $stats"
json=$("$B/ops/mashctl" --data "$T/mashd" stats --json) || fail "mashctl stats --json"
grep -q '"screening_duty"' <<<"$json" || fail "no screening duty in JSON: $json"
"$B/ops/mashctl" --data "$T/mashd" escalations | grep -q "level 1 reminder .*MASH-000001 .*duty=screening" ||
  fail "mashctl escalations: $("$B/ops/mashctl" --data "$T/mashd" escalations)"
"$B/ops/mashctl" --data "$T/mashd" verify | grep -q "^ok" || fail "the log does not verify"
log "ok"
