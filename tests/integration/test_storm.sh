#!/usr/bin/env bash
# A storm of escalations does not hold intake back. Thousands of duties fall
# due at once (a broker started after an outage); they are worked in bounded
# slices in the background, and a notification sent meanwhile is receipted
# while the storm is still being worked. Every duty's step fires once.
. "$(dirname "$0")/lib.sh" "$1"

N=3000
start_mashd
stop mashd TERM
# N screening duties whose reminder (75% of 240 min) fell due a minute ago.
now=$(date +%s%3N)
start=$((now - 181 * 60000))
sqlite3 "$T/mashd/mashd.db" "
WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < $N)
INSERT INTO duties (kind, ref, rag, start_ms, due_ms, next_at_ms)
SELECT 2, printf('STORM-%06d', n), 0, $start, $start + 14400000, 0 FROM i;" ||
  fail "cannot seed the duties"

start_mashd
# (a function: wait_for must re-run the query, not compare a value taken once)
begun() { [ "$(sql 'SELECT count(*) FROM escalations')" -gt 0 ]; }
wait_for 20 "the storm to begin" begun
# Intake during the storm: each receipt must come while escalations remain.
for n in 1 2 3; do
  make_notification "$n" "$T/n$n.json"
  police_submit "$T/n$n.json" >"$T/receipt$n.txt" || fail "no receipt for notification $n"
  done_now=$(sql 'SELECT count(*) FROM escalations')
  [ "$done_now" -lt "$N" ] || fail "receipt $n came only after the whole storm ($done_now escalated)"
  log "receipt $n with $done_now of $N escalated"
done
[ "$(broker_contacts)" = 3 ] || fail "contacts: $(broker_contacts)"

all_done() { [ "$(sql 'SELECT count(*) FROM escalations')" = "$N" ]; }
wait_for 120 "every duty of the storm escalated" all_done
[ "$(sql "SELECT count(DISTINCT escalation_id) FROM escalations WHERE escalation_id LIKE 'STORM-%-S-L1'")" = "$N" ] ||
  fail "not one reminder per duty"
[ "$(grep -c '"escalation_id":"STORM-' "$T/mashd/escalations.log")" = "$N" ] ||
  fail "the log does not hold one line per step"
"$B/ops/mashctl" --data "$T/mashd" verify | grep -q "^ok" || fail "the log does not verify"
log "ok"
