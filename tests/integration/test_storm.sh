#!/usr/bin/env bash
# A storm of escalations does not hold intake back. Thousands of duties fall
# due at once (a broker started after an outage); they are worked in bounded
# slices in the background, and notifications sent meanwhile are receipted
# while the storm is still being worked. Every duty's step fires once, and
# the escalation log (appended from the store on its own thread) ends up
# holding each step once and verifies against the store.
# STORM_N duties (default 6000; scripts/faults runs 10000) and STORM_INTAKE
# notifications sent at once as the storm begins (default 3).
. "$(dirname "$0")/lib.sh" "$1"

N=${STORM_N:-6000}
K=${STORM_INTAKE:-3}
start_mashd
stop mashd TERM
# N screening duties whose reminder (75% of 240 min) fell due a minute ago.
now=$(date +%s%3N)
start=$((now - 181 * 60000))
sqlite3 -cmd ".timeout 10000" "$T/mashd/mashd.db" "
WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < $N)
INSERT INTO duties (kind, ref, rag, start_ms, due_ms, next_at_ms)
SELECT 2, printf('STORM-%06d', n), 0, $start, $start + 14400000, 0 FROM i;" ||
  fail "cannot seed the duties"
for n in $(seq 1 "$K"); do make_notification "$n" "$T/n$n.json"; done

start_mashd
# (a function: wait_for must re-run the query, not compare a value taken once)
begun() { [ "$(sql 'SELECT count(*) FROM escalations')" -gt 0 ]; }
wait_for 20 "the storm to begin" begun
# Intake during the storm, all at once: each receipt must come while
# escalations remain (the count is taken as each submit returns).
pids=()
for n in $(seq 1 "$K"); do
  (
    police_submit "$T/n$n.json" >"$T/receipt$n.txt" || exit 10
    sql 'SELECT count(*) FROM escalations' >"$T/at$n" || exit 11
  ) &
  pids+=($!)
done
for n in $(seq 1 "$K"); do
  rc=0
  wait "${pids[$((n - 1))]}" || rc=$?
  [ "$rc" != 10 ] || fail "no receipt for notification $n: $(cat "$T/receipt$n.txt")"
  [ "$rc" = 0 ] || fail "cannot count the escalations after receipt $n (exit $rc)"
  done_now=$(cat "$T/at$n")
  [ "$done_now" -lt "$N" ] || fail "receipt $n came only after the whole storm ($done_now escalated)"
  log "receipt $n with $done_now of $N escalated"
done
[ "$(broker_contacts)" = "$K" ] || fail "contacts: $(broker_contacts)"

all_done() { [ "$(sql 'SELECT count(*) FROM escalations')" = "$N" ]; }
wait_for 300 "every duty of the storm escalated" all_done
[ "$(sql "SELECT count(DISTINCT escalation_id) FROM escalations WHERE escalation_id LIKE 'STORM-%-S-L1'")" = "$N" ] ||
  fail "not one reminder per duty"
# The log catches up from the store on its own thread.
logged() { [ "$(count_in "$T/mashd/escalations.log" '"escalation_id":"STORM-')" = "$N" ]; }
wait_for 60 "the escalation log to hold one line per step" logged
"$B/ops/mashctl" --data "$T/mashd" verify >"$T/verify.txt" || fail "the log does not verify: $(cat "$T/verify.txt")"
grep -q "^ok" "$T/verify.txt" || fail "verify: $(cat "$T/verify.txt")"
log "ok: $(cat "$T/verify.txt")"
