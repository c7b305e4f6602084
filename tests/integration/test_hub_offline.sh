#!/usr/bin/env bash
# Contacts wait in the broker while the hub desk is away: 20 accepted with no
# desk running all arrive when it starts; 10 more accepted while it is stopped
# arrive when it starts again. 30 distinct contacts in the end, none twice,
# and the desk's own store lists all 30.
. "$(dirname "$0")/lib.sh" "$1"

batch() { # batch FROM TO: make notifications FROM..TO and submit them in one run
  local files=() i
  for i in $(seq "$1" "$2"); do
    make_notification "$i" "$T/n$i.json"
    files+=("$T/n$i.json")
  done
  police_submit "${files[@]}" >"$T/batch-$1.out" || fail "submit of $1..$2 failed"
  local n=$(($2 - $1 + 1))
  [ "$(grep -c "accepted as MASH-" "$T/batch-$1.out")" = $n ] ||
    fail "not all of $1..$2 accepted: $(cat "$T/batch-$1.out")"
}
hub_ids() { grep -oE '"contact_id":"MASH-[0-9]{6}"' "$T/hub.out" | grep -oE "MASH-[0-9]{6}" | sort -u; }
all_ids() { for i in $(seq 1 "$1"); do printf 'MASH-%06d\n' "$i"; done; }

start_mashd
batch 1 20
[ "$(broker_contacts)" = 20 ] || fail "broker holds $(broker_contacts) contacts, expected 20"
[ "$(hub_lines)" = 0 ] || fail "hub output before the hub started"

start_hub
wait_for 30 "hub desk gets the 20 waiting contacts" hub_has 20
hub_ids | cmp -s - <(all_ids 20) || fail "hub desk does not show MASH-000001..20"
# Acknowledged deliveries are recorded by the broker before the desk stops.
delivered() { [ "$(sqlite3 -cmd ".timeout 10000" "$T/mashd/mashd.db" "SELECT count(*) FROM contacts WHERE delivered_at_ms IS NOT NULL")" = "$1" ]; }
wait_for 30 "broker records 20 deliveries" delivered 20
stop hub TERM

batch 21 30
[ "$(broker_contacts)" = 30 ] || fail "broker holds $(broker_contacts) contacts, expected 30"
[ "$(hub_lines)" = 20 ] || fail "hub output changed while it was stopped"

start_hub
wait_for 30 "hub desk gets the 10 new contacts" hub_has 30
wait_for 30 "broker records 30 deliveries" delivered 30
stop hub TERM
[ "$(hub_lines)" = 30 ] || fail "hub desk printed $(hub_lines) lines, expected 30"
hub_ids | cmp -s - <(all_ids 30) || fail "hub desk does not show exactly MASH-000001..30"

# shellcheck disable=SC2046
"$B/agents/mash-hub" list --json $(agent_opts hub) >"$T/list.out" 2>>"$T/hub.log" ||
  fail "mash-hub list failed"
[ "$(wc -l <"$T/list.out")" = 30 ] || fail "mash-hub list shows $(wc -l <"$T/list.out") contacts"
[ "$(grep -oE '"contact_id":"MASH-[0-9]{6}"' "$T/list.out" | sort -u | wc -l)" = 30 ] ||
  fail "mash-hub list does not show 30 distinct contacts"
log "ok"
