#!/usr/bin/env bash
# Agents' data-key rotation (issue 13, "Keys"): `mash-police rekey NEW` and
# `mash-hub rekey NEW` re-seal a stopped agent's state (one transaction) and
# its sealed files (the spool's sent/ and accepted/, the desk's packs and
# accepted commands) under a fresh key. Afterwards the old key opens nothing and the
# new one opens all of it, and the agents run on with it. A rotation while
# the agent runs is refused; one from a key that does not open the state
# changes nothing.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
start_hub
start_agency police --records "$AGENCY_EXAMPLES/police-records.json"
S="$T/police/spool"
make_notification 1 "$T/n1.json"
cp "$T/n1.json" "$S/n1.tmp"
mv "$S/n1.tmp" "$S/n1.json"
wait_for 30 "the spool file accepted" grep -q "MASH-" "$S/accepted/n1.json.receipt"
wait_for 20 "the contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"
out=$(screen_red MASH-000001 police) || fail "screen: $out"
wait_for 30 "the consolidated pack" pack_ready ENQ-000001 1
hub pack show ENQ-000001 --by "J Smith" >"$T/pack-before.json" || fail "pack show"
[ -n "$(find "$T/hub/commands/accepted" -name '*.json' -type f)" ] || fail "no accepted command"
police() { "$B/agents/mash-police" "$@" --spool "$S" $(agent_opts police); }
mkdir -p "$T/keys"
chmod 700 "$T/keys"

log "an agent running: refused"
rc=0
police rekey "$T/keys/police.2" >"$T/busy.out" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "stop the agent first" "$T/busy.out" || fail "busy: exit $rc: $(cat "$T/busy.out")"
log "with the broker down, a file waits in sent/ (sealed) through the rotation"
stop mashd
make_notification 3 "$T/n3.json"
cp "$T/n3.json" "$S/n3.tmp"
mv "$S/n3.tmp" "$S/n3.json"
wait_for 20 "n3.json in sent/" test -f "$S/sent/n3.json"
stop police
stop hub

log "from a key that does not open the state: refused, nothing changed"
head -c 32 /dev/urandom >"$T/keys/wrong.key"
chmod 600 "$T/keys/wrong.key"
rc=0
police rekey "$T/keys/wrong-next.key" --data-key "$T/keys/wrong.key" >"$T/wrong.out" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "does not open with" "$T/wrong.out" || fail "wrong key: exit $rc: $(cat "$T/wrong.out")"
police accepted n1.json >"$T/still.json" || fail "the old key no longer opens accepted/ after a refusal"
[ ! -e "$T/keys/wrong-next.key" ] || fail "a refused rotation left a new key behind"

log "the adapter's rotation"
police rekey "$T/keys/police.2" >"$T/rekey.out" 2>&1 || fail "rekey: $(cat "$T/rekey.out")"
grep -q "and 2 file(s) under" "$T/rekey.out" || fail "rekey: $(cat "$T/rekey.out")"
[ "$(stat -c %a "$T/keys/police.2")" = 600 ] || fail "new key mode $(stat -c %a "$T/keys/police.2")"
rc=0
police accepted n1.json >/dev/null 2>&1 || rc=$?
[ $rc = 1 ] || fail "the old key still opens accepted/n1.json"
police accepted n1.json --data-key "$T/keys/police.2" >"$T/n1.opened" || fail "the new key does not"
cmp -s "$T/n1.json" "$T/n1.opened" || fail "accepted/n1.json changed in the rotation"
out=$(police rekey "$T/keys/police.3" 2>&1) && fail "the old key rotated again: $out"

log "the desk's rotation"
hub rekey "$T/keys/hub.2" >"$T/hub-rekey.out" || fail "hub rekey: $(cat "$T/hub-rekey.out")"
grep -q "re-sealed .* and [2-9] file(s)" "$T/hub-rekey.out" || fail "hub rekey: $(cat "$T/hub-rekey.out")"
rc=0
hub pack show ENQ-000001 --by "J Smith" >/dev/null || rc=$?
[ $rc = 1 ] || fail "the old key still opens the pack"
hub pack show ENQ-000001 --by "J Smith" --data-key "$T/keys/hub.2" >"$T/pack-after.json" ||
  fail "the new key does not open the pack"
cmp -s "$T/pack-before.json" "$T/pack-after.json" || fail "the pack changed in the rotation"
log "rerun after it finished: every file is under the new key already"
out=$(hub rekey "$T/keys/hub.2" --data-key "$T/keys/hub.2" 2>&1) && fail "rekey to its own key: $out"

log "both run on with their new keys"
start_mashd
HUB_ARGS="--json --include-child-data --data-key $T/keys/hub.2" start_hub
start_agency police --records "$AGENCY_EXAMPLES/police-records.json" --data-key "$T/keys/police.2"
wait_for 20 "the desk's contacts listed" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"
make_notification 2 "$S/n2.tmp"
mv "$S/n2.tmp" "$S/n2.json"
wait_for 30 "a new spool file accepted" grep -q "MASH-" "$S/accepted/n2.json.receipt"
wait_for 30 "the new contact at the desk" grep -q '"contact_id":"MASH-000002"' "$T/hub.out"
police accepted n2.json --data-key "$T/keys/police.2" >/dev/null || fail "n2 not under the new key"
wait_for 30 "n3.json, sent before the rotation, accepted" grep -q "MASH-" "$S/accepted/n3.json.receipt"
police accepted n3.json --data-key "$T/keys/police.2" >"$T/n3.opened" || fail "n3 not under the new key"
cmp -s "$T/n3.json" "$T/n3.opened" || fail "n3.json changed in the rotation"
log "ok"
