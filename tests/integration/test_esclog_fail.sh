#!/usr/bin/env bash
# A failing escalation log (issue 10): while the log cannot be written
# (the test hook MASH_FAULT_ESCLOG_FAIL makes its writes fail as on a full
# disk while a flag file exists), escalations are still stored; mashd says
# why (the system's error text and the file) a bounded number of times,
# backs off instead of spinning, and when the fault clears the log catches
# up from the store by itself: no restart, every step once, verify intact.
# ESCLOG_FAIL_N duties falling due one after another (default 240), every
# ESCLOG_FAIL_GAP_MS (default 100); the fault lasts ESCLOG_FAIL_HOLD steps
# (default 60).
. "$(dirname "$0")/lib.sh" "$1"

N=${ESCLOG_FAIL_N:-240}
GAP=${ESCLOG_FAIL_GAP_MS:-100}
HOLD=${ESCLOG_FAIL_HOLD:-60}
start_mashd
stop mashd TERM
# Screening duties whose reminders (75% of 240 min) fall due from 2 s on.
now=$(date +%s%3N)
start=$((now - 180 * 60000 + 2000))
sqlite3 -cmd ".timeout 10000" "$T/mashd/mashd.db" "
WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < $N)
INSERT INTO duties (kind, ref, rag, start_ms, due_ms, next_at_ms)
SELECT 2, printf('FAIL-%06d', n), 0, $start + n * $GAP, $start + n * $GAP + 14400000, 0 FROM i;" ||
  fail "cannot seed the duties"

FLAG=$T/disk-full
export MASH_FAULT_ESCLOG_FAIL=$FLAG
start_mashd
unset MASH_FAULT_ESCLOG_FAIL
pid=${PID[mashd]}
LOGF=$T/mashd/escalations.log
lines() { if [ -f "$LOGF" ]; then wc -l <"$LOGF"; else echo 0; fi; }
stored() { sql 'SELECT count(*) FROM escalations'; }
some_logged() { [ "$(lines)" -ge 10 ]; }
wait_for 30 "the first lines in the log" some_logged

touch "$FLAG"
at_fault=$(stored)
# Escalations go on being stored while the log fails.
more() { [ "$(stored)" -ge $((at_fault + HOLD)) ]; }
wait_for 60 "$HOLD more steps stored while the log fails" more
held=$(lines)
[ "$held" -lt "$(stored)" ] || fail "the log kept up while it could not be written"
grep -q "escalation log $LOGF cannot be written: .*No space left on device" "$T/mashd.log" ||
  fail "mashd does not say why the log fails"
warned=$(count_in "$T/mashd.log" "cannot be written")
[ "$warned" -le 5 ] || fail "$warned warnings in the fault: the log line rate is not bounded"
log "fault: $(stored) stored, $held lines in the log, $warned warning line(s)"

rm -f "$FLAG"
# The log catches up by itself, without a restart.
caught_up() { [ "$(lines)" = "$(stored)" ]; }
wait_for 30 "the log to catch up after the fault" caught_up
grep -q "escalation log $LOGF: written again after" "$T/mashd.log" || fail "no recovery line"
all_done() { [ "$(stored)" = "$N" ] && [ "$(lines)" = "$N" ]; }
wait_for 120 "every step stored and logged" all_done
[ "${PID[mashd]}" = "$pid" ] && kill -0 "$pid" || fail "mashd was restarted or stopped"
[ "$(grep -c '"escalation_id":"FAIL-' "$LOGF")" = "$N" ] || fail "not one line per step"
"$B/ops/mashctl" --data "$T/mashd" verify >"$T/verify.txt" || fail "verify: $(cat "$T/verify.txt")"
grep -q "^ok" "$T/verify.txt" || fail "verify: $(cat "$T/verify.txt")"
warned=$(count_in "$T/mashd.log" "cannot be written")
log "ok: $warned warning line(s) in all; $(cat "$T/verify.txt")"
