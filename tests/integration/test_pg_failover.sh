#!/usr/bin/env bash
# Two mashd on one PostgreSQL database (issue 15), as on two hosts: each
# node has its own endpoint, its own key and its own DATA folder (only the
# data key is shared); the agents and the hub desk are given both endpoints
# and both keys. The first node takes the database's active lock and binds
# its endpoint; the second waits as a standby without binding anything.
# Under load (notifications submitted while it runs, screening deadlines of
# two minutes of a clock running 60 times faster, so escalations fall due
# around the takeover), the active node is killed with SIGKILL; the standby
# takes the lock, loads everything from the store and serves on its own
# endpoint within a few seconds, and the agents move to it. Then: every
# notification was receipted and is stored once, every escalation step was
# stored once, the hub desk shows each contact once (and the submissions
# after the first that found node b start there), and the new node's own
# escalation log holds every stored step (appended from the store, not from
# a shared folder) and verifies against the store with mashctl --store-url;
# mashctl stats reads the same store. Node a, started again, waits as a
# standby, takes over when b stops, and its own log (cut by the kill)
# catches up from the store and verifies. Skips (77) only where
# PostgreSQL's binaries are absent.
if [ -z "${MASH_TEST_PG_URL:-}" ]; then
  exec bash "$(dirname "$0")/../pg/with-pg.sh" bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh" "$1"

psql_bin="$MASH_TEST_PG_BIN/psql"
pg() { "$psql_bin" -X -qtA -d "$MASH_TEST_PG_URL" -c "$1"; }
# (functions: wait_for runs its command again on every poll)
steps_at_least() { [ "$(pg 'SELECT count(*) FROM escalations')" -ge "$1" ]; }
contacts_at_least() { [ "$(pg 'SELECT count(*) FROM contacts')" -ge "$1" ]; }
all_delivered() { [ "$(pg 'SELECT count(*) FROM contacts WHERE delivered_at_ms IS NULL')" = 0 ]; }

keygen mashd-b broker
EP_A="ipc://$T/a.sock"
EP_B="ipc://$T/b.sock"
# Every agent follows both nodes (lib.sh's agent_opts gives one).
agent_opts() {
  echo --config "$T/agent.ini" --endpoint "$EP_A,$EP_B" \
    --server-key "$T/certs/mashd.pub,$T/certs/mashd-b.pub" --key "$T/certs/$1.secret" \
    --state "$T/$1/state.db"
}
cat >"$T/agent.ini" <<INI
[agent]
heartbeat_ms = 500
INI
cat >"$T/mashd.ini" <<INI
[mashd]
store = postgresql
store_url = $MASH_TEST_PG_URL
screening_minutes = 2
INI

# Node c is node a started again after its kill (its endpoint, key and DATA).
declare -A NODE_EP=([a]="$EP_A" [b]="$EP_B" [c]="$EP_A") NODE_KEY=([a]=mashd [b]=mashd-b [c]=mashd)
declare -A NODE_DATA=([a]=node-a [b]=node-b [c]=node-a)
start_node() { # start_node NAME: a mashd on the shared database, its own endpoint and DATA
  : >"$T/$1.out"
  "$B/broker/mashd" --endpoint "${NODE_EP[$1]}" --data "$T/${NODE_DATA[$1]}" --trust "$T/trusted" \
    --key "$T/certs/${NODE_KEY[$1]}.secret" --data-key "$T/certs/mashd.data.key" \
    --heartbeat-ms 500 --clock-rate 60 --log-level debug \
    --config "$T/mashd.ini" >>"$T/$1.out" 2>>"$T/$1.log" &
  PID[$1]=$!
}

start_node a
wait_for 15 "node a ready" grep -q "ready on" "$T/a.out"
start_node b
wait_for 15 "node b says it is a standby" grep -q "standby" "$T/b.out"
grep -q "ready on" "$T/b.out" && fail "the standby bound its endpoint while a was active"
start_hub

# Load: 30 notifications, one police adapter process after another (each
# waits for its receipt, following whichever broker answers), while the
# active broker is killed part-way.
N=30
for i in $(seq 1 $N); do make_notification "$i" "$T/n$i.json"; done
(
  for i in $(seq 1 $N); do police_submit "$T/n$i.json" || exit 1; done
) >"$T/receipts.out" 2>&1 &
submit=$!
wait_for 30 "some contacts stored" contacts_at_least 5
wait_for 30 "an escalation step before the kill" steps_at_least 1
killed_at=$(date +%s%N)
stop a KILL
at_kill=$(pg 'SELECT count(*) FROM contacts')
steps_at_kill=$(pg 'SELECT count(*) FROM escalations')
wait_for 20 "node b takes over" grep -q "ready on" "$T/b.out"
took_ms=$((($(date +%s%N) - killed_at) / 1000000))
log "standby serving ${took_ms} ms after the active one was killed"
[ "$took_ms" -lt 10000 ] || fail "the takeover took ${took_ms} ms"

wait "$submit" || fail "the submission failed across the takeover: $(cat "$T/receipts.out")"
[ "$(receipted "$T/receipts.out")" = $N ] ||
  fail "not $N receipts: $(cat "$T/receipts.out")"
[ "$at_kill" -lt $N ] || fail "every notification was stored before the kill: not under load"
log "$at_kill of $N notifications and $steps_at_kill escalation step(s) stored at the kill"
# Each police submission is a process of its own: once one found node b, the
# next ones start there (remembered beside the adapter's state), rather than
# each waiting out the dead node a first.
grep -q "starting at $EP_B, the broker that answered last" "$T/police.log" ||
  fail "no submission started at the node that answered last"
waited=$(grep -c "no answer from $EP_A" "$T/police.log" || true)
[ "$waited" -le 2 ] || fail "$waited submissions waited for the dead node a"
[ "$(pg 'SELECT count(*) FROM contacts')" = $N ] || fail "not $N contacts stored"
[ "$(pg 'SELECT count(DISTINCT message_id) FROM contacts')" = $N ] || fail "a message stored twice"

# The desk prints a line per contact and one per escalation step sent to it.
desk_contacts() { grep -c '^{"contact_id":' "$T/hub.out" || true; }
desk_has_all() { [ "$(desk_contacts)" -ge $N ]; }
wait_for 30 "the desk has every contact" desk_has_all
wait_for 20 "every delivery acknowledged" all_delivered
ids=$(grep -o '^{"contact_id":"MASH-[0-9]*"' "$T/hub.out" | sort)
[ "$(echo "$ids" | wc -l)" = $N ] || fail "the desk shows $(echo "$ids" | wc -l) contacts, not $N"
[ "$(echo "$ids" | uniq | wc -l)" = $N ] || fail "the desk shows a contact twice"
grep -q "connected to $EP_B" "$T/hub.log" || fail "the desk did not move to node b"

# Every contact's screening steps (two minutes of the broker's clock: the
# reminder, the deadline and the one at 150%) fire, each once, across the
# takeover.
screening_steps() {
  pg "SELECT count(DISTINCT escalation_id) FROM escalations WHERE escalation_id ~ '-S-L[123]\$'"
}
steps_done() { [ "$(screening_steps)" -ge $((3 * N)) ]; }
wait_for 60 "every contact's first three screening steps" steps_done
# (escalation_id is unique in the store; a step fired twice would show as
# two firings in the nodes' logs or two lines at the desk)
fired=$(cat "$T/a.log" "$T/b.log" | grep -o 'MASH-[0-9]*-S-L[0-9] level' | sort)
[ "$(echo "$fired" | wc -l)" -ge $((3 * N)) ] || fail "$(echo "$fired" | wc -l) firings logged"
twice=$(echo "$fired" | uniq -d)
[ -z "$twice" ] || fail "escalation step(s) fired twice across the takeover: $twice"
steps=$(pg 'SELECT count(*) FROM escalations')
log "$steps escalation steps stored, each once"
# The desk is told of each step once (those it had received by now).
dup=$(grep -o '^{"type":"escalation","escalation_id":"[^"]*"' "$T/hub.out" | sort | uniq -d)
[ -z "$dup" ] || fail "the desk received an escalation twice: $dup"

# Node b's own log (its DATA only) holds every stored step, from the store.
b_log_caught_up() {
  local last
  last=$(pg 'SELECT count(*) FROM escalations')
  [ "$(grep -c '"seq":' "$T/node-b/escalations.log" 2>/dev/null)" -ge "$last" ]
}
wait_for 20 "node b's escalation log has every stored step" b_log_caught_up

# mashctl reads the PostgreSQL store (--store-url): node b's own log
# verifies against it, an edited copy does not, and the statistics count
# every contact.
ctl() { "$B/ops/mashctl" --store-url "$MASH_TEST_PG_URL" "$@"; }
ctl --data "$T/node-b" verify >"$T/verify-b.out" || fail "verify b: $(cat "$T/verify-b.out")"
grep -q "^ok: .* each of the $steps step(s) stored is in it once" "$T/verify-b.out" ||
  fail "verify b: $(cat "$T/verify-b.out")"
# A line of node b's log edited: the check against the store says so.
cp "$T/node-b/escalations.log" "$T/edited.log"
cp "$T/node-b/escalations.log.head" "$T/edited.log.head" 2>/dev/null || true
sed -i '2s/"level":[0-9]/"level":9/' "$T/edited.log"
ctl verify "$T/edited.log" >"$T/verify-edited.out" && fail "an edited log verified: $(cat "$T/verify-edited.out")"
grep -q "^BROKEN" "$T/verify-edited.out" || fail "edited: $(cat "$T/verify-edited.out")"
ctl --data "$T/node-b" stats --json >"$T/stats.json" || fail "stats: $(cat "$T/stats.json")"
grep -q "\"contacts\":$N," "$T/stats.json" || fail "stats: $(cat "$T/stats.json")"

# Node a started again (node c: its endpoint, key and DATA) waits as a
# standby while b holds the lock; when b stops, it takes over, its log (cut
# by the kill after lines its head did not yet cover) is repaired on opening
# and catches up from the store, and verifies with every stored step.
start_node c
wait_for 15 "node c says it is a standby" grep -q "standby" "$T/c.out"
grep -q "ready on" "$T/c.out" && fail "a second node bound an endpoint while b was active"
stop b TERM
wait_for 20 "node c takes over" grep -q "ready on" "$T/c.out"
a_log_caught_up() {
  [ "$(grep -c '"seq":' "$T/node-a/escalations.log" 2>/dev/null)" -ge \
    "$(pg 'SELECT count(*) FROM escalations')" ]
}
wait_for 20 "node a's escalation log has every stored step" a_log_caught_up
ctl --data "$T/node-a" verify >"$T/verify-a.out" || fail "verify a: $(cat "$T/verify-a.out")"
grep -q "^ok: .* each of the .* step(s) stored is in it once" "$T/verify-a.out" ||
  fail "verify a: $(cat "$T/verify-a.out")"
ctl --data "$T/node-b" verify >"$T/verify-b2.out" || fail "verify b stopped: $(cat "$T/verify-b2.out")"
log "ok"
