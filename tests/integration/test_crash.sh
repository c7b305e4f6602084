#!/usr/bin/env bash
# mashd killed with SIGKILL in the middle of a burst loses nothing and
# duplicates nothing: after a restart the police adapter's outbox resends what
# had no receipt, every one of 600 notifications gets exactly one contact, and
# the hub desk ends up with exactly those 200 contacts.
. "$(dirname "$0")/lib.sh" "$1"

N=600
start_mashd
start_hub
files=()
for i in $(seq 1 $N); do
  make_notification "$i" "$T/n$i.json"
  files+=("$T/n$i.json")
done

# shellcheck disable=SC2046
"$B/agents/mash-police" submit --timeout 60 $(agent_opts police) "${files[@]}" \
  >"$T/police.out" 2>>"$T/police.log" &
PID[police]=$!

# mashd logs each contact after its commit; the log is cheaper to poll than
# the database, so the kill lands early in the burst.
WAIT_POLL=0.005 wait_for 30 "the broker stores 20 contacts" grep -q "contact MASH-000020 " "$T/mashd.log"
stop mashd KILL
at_kill=$(broker_contacts)
receipted_at_kill=$(wc -l <"$T/police.out")
unresolved_at_kill=$(sql "SELECT count(*) FROM contacts WHERE unresolved = 1")
log "mashd killed with $at_kill contact(s) stored ($unresolved_at_kill not yet resolved), $receipted_at_kill receipt(s) delivered"
[ "$at_kill" -ge 20 ] || fail "the broker lost committed contacts: $at_kill after the kill"
# Otherwise the crash interrupted nothing and the test proves nothing.
[ "$receipted_at_kill" -lt $N ] || fail "the burst finished before the kill"
s_restart=$SECONDS
start_mashd

rc=0
wait "${PID[police]}" || rc=$?
unset "PID[police]"
[ $rc = 0 ] || fail "police submit exit $rc, expected 0"
log "police had all receipts $((SECONDS - s_restart))s after the restart"
receipts=$(grep -cE ": (accepted as|already received as) MASH-[0-9]{6}\$" "$T/police.out" || true)
[ "$receipts" = $N ] || fail "$receipts receipts of $N"
log "$(grep -c "already received as" "$T/police.out" || true) receipt(s) were for resends stored before the kill"
[ "$(wc -l <"$T/police.out")" = $N ] || fail "police printed other lines: $(grep -v MASH- "$T/police.out")"
[ "$(broker_contacts)" = $N ] || fail "broker holds $(broker_contacts) contacts, expected $N"

# Every file got its own contact id, and each is in the broker's store.
grep -oE "MASH-[0-9]{6}" "$T/police.out" | sort >"$T/receipted.ids"
[ "$(sort -u "$T/receipted.ids" | wc -l)" = $N ] || fail "receipted contact ids are not distinct"
sqlite3 -cmd ".timeout 10000" "$T/mashd/mashd.db" "SELECT contact_id FROM contacts" | sort >"$T/stored.ids"
cmp -s "$T/receipted.ids" "$T/stored.ids" || fail "receipted ids differ from the stored ones: $(diff "$T/receipted.ids" "$T/stored.ids" | head)"

wait_for 120 "hub desk shows $N contacts" hub_has $N
log "hub desk had all contacts $((SECONDS - s_restart))s after the restart"
hub_ids() { grep -oE '"contact_id":"MASH-[0-9]{6}"' "$T/hub.out" | grep -oE "MASH-[0-9]{6}" | sort -u; }
[ "$(hub_ids | wc -l)" = $N ] || fail "hub desk shows $(hub_ids | wc -l) distinct contacts, expected $N"
[ "$(hub_lines)" = $N ] || fail "hub desk printed $(hub_lines) lines for $N contacts"
hub_ids | cmp -s - "$T/stored.ids" || fail "hub desk contacts differ from the stored ones"
# Contacts acknowledged but not resolved at the kill were resolved on the
# restart: every contact's people are linked, once.
"$B/ops/mashctl" --data "$T/mashd" stats --json | grep -qF '"resolution_backlog":0' ||
  fail "contacts left unresolved: $(sql "SELECT count(*) FROM contacts WHERE unresolved = 1")"
[ "$(sql "SELECT count(DISTINCT contact_id) FROM person_links")" = $N ] || fail "contacts without links"
[ "$(sql "SELECT count(*) FROM person_links")" = $((N * 4)) ] || fail "links missing or duplicated"
log "ok"
