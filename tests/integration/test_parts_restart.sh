#!/usr/bin/env bash
# Parts survive a restart of the receiver (issue 10): a pack larger than one
# frame goes to the desk in parts, and the desk holds parts in memory only.
# The desk is killed (-9) while it holds the first part of the pack (fault
# injection: MASH_FAULT_PARTS_CRASH=1); no part was acknowledged, so the
# broker keeps every part in its outbox; the desk is started again and the
# pack reaches it once and whole (not partial, every agency's answer), and
# every part is then acknowledged.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
MASH_FAULT_PARTS_CRASH=1 start_hub
make_notification 1 "$T/n1.json"
out=$(police_submit "$T/n1.json") || fail "submit: $out"
grep -q "accepted as MASH-000001" <<<"$out" || fail "not accepted: $out"
wait_for 30 "the contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"

# Three full agency answers make a pack over one frame (as test_sizes.sh).
python3 - "$AGENCY_EXAMPLES" "$T" <<'PY'
import json, sys
src, t = sys.argv[1], sys.argv[2]
for a in ("police", "health", "education"):
    recs = json.load(open(f"{src}/{a}-records.json"))
    for r in recs:
        f0 = r["findings"][0] if r.get("findings") else {"kind": "note", "at": "2026-01-01T00:00:00Z"}
        r["findings"] = [dict(f0, summary=(f"{a} record {k}: " + "x" * 7900)) for k in range(20)]
    json.dump(recs, open(f"{t}/{a}-big.json", "w"))
PY
for a in police health education; do
  start_agency "$a" --records "$T/$a-big.json"
done
out=$(screen_red MASH-000001 police,health,education) || fail "screen: $out"
grep -q "ENQ-000001" <<<"$out" || fail "no enquiry: $out"

# The desk dies holding one part of the pack.
hub_pid=${PID[hub]}
wait_for 90 "the desk killed mid-pack" sh -c "! kill -0 $hub_pid 2>/dev/null"
wait "$hub_pid" 2>/dev/null || true
unset "PID[hub]"
grep -q "MASH_FAULT_PARTS_CRASH: killed holding 1 of [0-9]* parts" "$T/hub.log" ||
  fail "the desk died, but not mid-pack: $(tail -5 "$T/hub.log")"
test -f "$(pack_file ENQ-000001 1)" && fail "a pack file was written before its parts were all in"
parts=$(sql "SELECT count(*) FROM outbox WHERE message_id LIKE '%.%'")
[ "$parts" -ge 2 ] || fail "the pack was not sent in parts ($parts)"
waiting=$(sql "SELECT count(*) FROM outbox WHERE message_id LIKE '%.%' AND delivered_at_ms IS NULL")
[ "$waiting" = "$parts" ] || fail "$((parts - waiting)) of $parts parts acknowledged by a desk that died holding them"
log "the desk died holding 1 of the pack's $parts parts; all $waiting wait in the broker's outbox"

# Started again, without the fault: the parts come again and the pack is whole.
start_hub
wait_for 90 "the pack at the desk" pack_ready ENQ-000001 1
pack=$(pack_file ENQ-000001 1)
grep -q '"partial": *false' "$pack" || fail "the pack is partial: $(head -c 300 "$pack")"
for a in police health education; do
  grep -q "\"agency\": *\"$a\"" "$pack" || fail "no answer from $a in the pack"
done
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$pack" || fail "the pack file is not whole JSON"
wait_for 60 "every part acknowledged" sh -c "[ \"\$(sqlite3 '$T/mashd/mashd.db' \"SELECT count(*) FROM outbox WHERE delivered_at_ms IS NULL\")\" = 0 ]"
# Once: one pack notice at the desk, one version, even after a further restart.
stop hub
start_hub
wait_for 30 "the desk back" grep -q "connected\|ready\|watching" "$T/hub.log" "$T/hub.out"
n=$(grep -c '"type":"pack".*ENQ-000001\|ENQ-000001.*"type":"pack"' "$T/hub.out") || true
[ "$n" = 1 ] || fail "the pack reached the desk $n times: $(grep -c . "$T/hub.out") lines"
test -f "$(pack_file ENQ-000001 2)" && fail "a second version of the pack was made"
log "ok (the pack of $parts parts delivered once and whole after the kill)"
