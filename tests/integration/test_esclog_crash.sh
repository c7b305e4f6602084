#!/usr/bin/env bash
# A crash between the store's commit and the escalation log's append
# (issue 10): mashd is killed (SIGKILL, by the test hook
# MASH_FAULT_ESCLOG_CRASH) after its log thread has written some lines of
# committed steps and before they were synced. After a restart the log is
# appended from the store: every stored step is in it once, in order, the
# number of lines equals the number of steps, and verify says intact. Then
# the log is deleted with its head file: verify fails naming the cause, and
# mashd refuses to start over the loss.
# ESCLOG_N duties due at once (default 400), the crash after ESCLOG_CRASH_AT
# lines (default 150; scripts/faults varies it).
. "$(dirname "$0")/lib.sh" "$1"

N=${ESCLOG_N:-400}
AT=${ESCLOG_CRASH_AT:-150}
start_mashd
stop mashd TERM
now=$(date +%s%3N)
start=$((now - 181 * 60000))
sqlite3 -cmd ".timeout 10000" "$T/mashd/mashd.db" "
WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < $N)
INSERT INTO duties (kind, ref, rag, start_ms, due_ms, next_at_ms)
SELECT 2, printf('CRASH-%06d', n), 0, $start, $start + 14400000, 0 FROM i;" ||
  fail "cannot seed the duties"

# Started by hand: it may die before it says ready.
MASH_FAULT_ESCLOG_CRASH=$AT "$B/broker/mashd" --endpoint "$EP" --data "$T/mashd" \
  --trust "$T/trusted" --key "$T/certs/mashd.secret" --log-level debug \
  >>"$T/mashd.out" 2>>"$T/mashd.log" &
pid=$!
rc=0
wait "$pid" || rc=$?
[ "$rc" = 137 ] || fail "mashd was not killed by the hook (exit $rc)"
grep -q "MASH_FAULT_ESCLOG_CRASH" "$T/mashd.log" || fail "the hook did not fire"
stored=$(sql 'SELECT count(*) FROM escalations')
read -r _ synced <"$T/mashd/escalations.log.head"
[ "$stored" -gt "$synced" ] ||
  fail "the crash was not between commit and append ($stored stored, $synced synced)"
log "killed with $stored steps stored and $synced lines synced ($(wc -l <"$T/mashd/escalations.log") written)"

start_mashd
pid=${PID[mashd]}
all_done() { [ "$(sql 'SELECT count(*) FROM escalations')" = "$N" ]; }
wait_for 120 "every duty escalated" all_done
lines() { wc -l <"$T/mashd/escalations.log"; }
logged() { [ "$(lines)" = "$N" ]; }
wait_for 60 "one log line per stored step" logged
[ "$(grep -o '"escalation_id":"[^"]*"' "$T/mashd/escalations.log" | sort -u | wc -l)" = "$N" ] ||
  fail "a step is in the log twice"
"$B/ops/mashctl" --data "$T/mashd" verify >"$T/verify.txt" || fail "verify: $(cat "$T/verify.txt")"
grep -q "^ok: .* holds $N entries .* each of the $N step(s) stored is in it once" "$T/verify.txt" ||
  fail "verify: $(cat "$T/verify.txt")"
log "after the restart: $(cat "$T/verify.txt")"
kill -0 "$pid" || fail "mashd stopped"

# The log and its head file deleted: verify names the cause.
stop mashd TERM
rm -f "$T/mashd/escalations.log" "$T/mashd/escalations.log.head"
if "$B/ops/mashctl" --data "$T/mashd" verify >"$T/verify.txt"; then
  fail "a deleted log verified: $(cat "$T/verify.txt")"
fi
grep -q "^BROKEN: .*does not exist, but the store records the log durable up to step .*deleted" \
  "$T/verify.txt" || fail "verify does not name the cause: $(cat "$T/verify.txt")"
log "deleted: $(cat "$T/verify.txt")"
# ... and so does mashd, which will not write a new log over the loss.
rc=0
"$B/broker/mashd" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
  --key "$T/certs/mashd.secret" >"$T/refused.out" 2>"$T/refused.err" || rc=$?
[ "$rc" != 0 ] || fail "mashd started over a deleted log"
grep -q "escalation log .* ends at step 0, but the store records it durable up to step .*deleted" \
  "$T/refused.err" || fail "mashd does not say why: $(cat "$T/refused.err")"
[ ! -e "$T/mashd/escalations.log.head" ] || fail "mashd wrote a new head"
log "ok"
