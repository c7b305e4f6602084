#!/usr/bin/env bash
# Two mashd on one PostgreSQL database (issue 15): the first takes the
# database's active lock and binds the agents' endpoint, the second waits as
# a standby without binding anything. Under load (notifications submitted
# while it runs), the active one is killed with SIGKILL; the standby takes
# the lock, loads everything from the store and serves on the same endpoint
# within a few seconds. Then: every notification was receipted and is
# stored once, and the hub desk shows each contact once. Skips (77) only
# where PostgreSQL's binaries are absent.
if [ -z "${MASH_TEST_PG_URL:-}" ]; then
  exec bash "$(dirname "$0")/../pg/with-pg.sh" bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh" "$1"

psql_bin="$MASH_TEST_PG_BIN/psql"
pg() { "$psql_bin" -X -qtA -d "$MASH_TEST_PG_URL" -c "$1"; }
# (functions: wait_for runs its command again on every poll)
contacts_at_least() { [ "$(pg 'SELECT count(*) FROM contacts')" -ge "$1" ]; }
all_delivered() { [ "$(pg 'SELECT count(*) FROM contacts WHERE delivered_at_ms IS NULL')" = 0 ]; }

cat >"$T/mashd.ini" <<INI
[mashd]
store = postgresql
store_url = $MASH_TEST_PG_URL
INI

start_node() { # start_node NAME: a mashd on the shared database and endpoint
  : >"$T/$1.out"
  "$B/broker/mashd" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
    --key "$T/certs/mashd.secret" --heartbeat-ms 500 --log-level debug \
    --config "$T/mashd.ini" >>"$T/$1.out" 2>>"$T/$1.log" &
  PID[$1]=$!
}

start_node a
wait_for 15 "node a ready" grep -q "ready on" "$T/a.out"
start_node b
wait_for 15 "node b says it is a standby" grep -q "standby" "$T/b.out"
grep -q "ready on" "$T/b.out" && fail "the standby bound the endpoint while a was active"
start_hub

# Load: 30 notifications, one police adapter process after another (each
# waits for its receipt, resending to whichever broker answers), while the
# active broker is killed part-way.
N=30
for i in $(seq 1 $N); do make_notification "$i" "$T/n$i.json"; done
(
  for i in $(seq 1 $N); do police_submit "$T/n$i.json" || exit 1; done
) >"$T/receipts.out" 2>&1 &
submit=$!
wait_for 30 "some contacts stored" contacts_at_least 5
killed_at=$(date +%s%N)
stop a KILL
at_kill=$(pg 'SELECT count(*) FROM contacts')
wait_for 20 "node b takes over" grep -q "ready on" "$T/b.out"
took_ms=$((($(date +%s%N) - killed_at) / 1000000))
log "standby serving ${took_ms} ms after the active one was killed"
[ "$took_ms" -lt 10000 ] || fail "the takeover took ${took_ms} ms"

wait "$submit" || fail "the submission failed across the takeover: $(cat "$T/receipts.out")"
[ "$(grep -c "accepted as MASH-" "$T/receipts.out")" = $N ] ||
  fail "not $N receipts: $(cat "$T/receipts.out")"
[ "$at_kill" -lt $N ] || fail "every notification was stored before the kill: not under load"
log "$at_kill of $N notifications stored when the active broker was killed"
[ "$(pg 'SELECT count(*) FROM contacts')" = $N ] || fail "not $N contacts stored"
[ "$(pg 'SELECT count(DISTINCT message_id) FROM contacts')" = $N ] || fail "a message stored twice"

wait_for 30 "the desk has every contact" hub_has $N
wait_for 20 "every delivery acknowledged" all_delivered
ids=$(grep -o '"contact_id":"MASH-[0-9]*"' "$T/hub.out" | sort)
[ "$(echo "$ids" | wc -l)" = $N ] || fail "the desk shows $(echo "$ids" | wc -l) contacts, not $N"
[ "$(echo "$ids" | uniq | wc -l)" = $N ] || fail "the desk shows a contact twice"

# The survivor holds the lock: a third node waits as a standby.
start_node c
wait_for 15 "node c says it is a standby" grep -q "standby" "$T/c.out"
grep -q "ready on" "$T/c.out" && fail "a third node bound the endpoint"
log "ok"
