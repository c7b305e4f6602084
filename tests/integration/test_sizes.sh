#!/usr/bin/env bash
# Sizes hold end to end (issue 10), with real processes:
# - the frame limit is 256 KiB exactly (CURVE's 33 bytes accounted for): a
#   frame of 262,143 and 262,144 bytes is served, one of 262,145 is answered
#   with an error naming the limit, counted as "oversized" and logged; mashd
#   reads frames up to 1 MiB to answer them, and libzmq drops the connection
#   of a larger one (no reply), mashd serving on;
# - refusals carry the message id they answer (a wrong schema version, a
#   missing body, an oversized frame), and a string with a NUL byte is
#   refused naming the field, never cut;
# - a notification whose contact would not fit one frame to the desk is
#   refused before its receipt; a large one that fits is receipted and
#   reaches the desk;
# - a pack grown by three full agency answers (over one frame) reaches the
#   desk in parts, complete, with every answer stored (none rolled back).
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
start_hub
police_raw() { rawsend --key "$T/certs/police.secret" --correlation "$@"; }
max=$((256 * 1024))

# -- the frame limit, just under, at and just over; the socket's own limit.
for size in $((max - 1)) $max; do
  out=$(police_raw --heartbeat-size $size --message-id "hb-$size") || fail "no answer at $size: $out"
  [ "$out" = "heartbeat corr=hb-$size" ] || fail "a heartbeat of $size bytes: $out"
done
out=$(police_raw --heartbeat-size $((max + 1)) --message-id hb-over) || fail "no answer over: $out"
[ "$out" = "error 1 is $((max + 1)) bytes, larger than $max corr=hb-over" ] || fail "over: $out"
out=$(police_raw --heartbeat-size $((4 * max)) --message-id hb-1m) || fail "no answer at 1 MiB: $out"
[ "$out" = "error 1 is $((4 * max)) bytes, larger than $max corr=hb-1m" ] || fail "1 MiB: $out"
rc=0
out=$(police_raw --timeout 1500 --heartbeat-size $((4 * max + 1)) --message-id hb-cut) || rc=$?
[ "$out" = "no reply" ] && [ $rc = 3 ] || fail "over 1 MiB (rc $rc): $out"
[ "$(count_in "$T/mashd.log" "oversized message from police")" = 2 ] ||
  fail "the oversized frames are not logged: $(grep -c oversized "$T/mashd.log")"
out=$(police_raw --message-id after-cut) || fail "mashd stopped serving: $out"
[ "$out" = "heartbeat corr=rawsend-heartbeat" ] || fail "heartbeat after the cut connection: $out"

# -- correlation ids on every refusal whose id could be read.
printf '\x0a\x0dbad-version-1\x20\x02\x62\x00' >"$T/version.bin"
out=$(police_raw --frame "$T/version.bin") || fail "no answer to a wrong version: $out"
[ "$out" = "error 1 schema_version: is 2, expected 1 corr=bad-version-1" ] || fail "version: $out"
printf '\x0a\x07no-body\x20\x01' >"$T/nobody.bin"
out=$(police_raw --frame "$T/nobody.bin") || fail "no answer to a missing body: $out"
grep -q "^error 2 unknown message kind.* corr=no-body$" <<<"$out" || fail "no body: $out"
# A notification (a request) with a wrong version: a receipt naming it.
make_notification 1 "$T/n1.json"
out=$(police_submit "$T/n1.json") || fail "submit: $out"
grep -q "accepted as MASH-000001" <<<"$out" || fail "not accepted: $out"
outbox_frame police "$T/n1.json" "$T/good.bin"
# Its message id (made from the file's content; the outbox seals its labels).
mid=$("$B/tests/mash-rawsend" --encode-police "$T/n1.json" --out "$T/good2.bin")
[ -n "$mid" ] || fail "no message id for n1.json"
python3 - "$T/good.bin" "$T/badver.bin" "$T/nul.bin" <<'PY'
import sys
good = open(sys.argv[1], 'rb').read()
# schema_version is field 4 (tag 0x20) with value 1 at the top level.
i = 0
out = bytearray(good)
while i < len(good):
    tag = good[i]
    if tag == 0x20:
        out[i + 1] = 9
        break
    # skip: varint key then value (ids and times come before the body)
    wt = tag & 7
    i += 1
    if wt == 0:
        while good[i] & 0x80: i += 1
        i += 1
    elif wt == 2:
        n = 0; s = 0
        while True:
            b = good[i]; i += 1; n |= (b & 0x7f) << s; s += 7
            if not b & 0x80: break
        i += n
open(sys.argv[2], 'wb').write(bytes(out))
# A NUL inside the first child's family name ("Hartley").
j = good.index(b'Hartley')
nul = bytearray(good); nul[j + 3] = 0
open(sys.argv[3], 'wb').write(bytes(nul))
PY
out=$(police_raw --frame "$T/badver.bin") || fail "no answer to a wrong version: $out"
grep -q "^receipt rejected - \[schema_version: is 9, expected 1\] corr=$mid$" <<<"$out" ||
  fail "notification with a wrong version: $out"
out=$(police_raw --frame "$T/nul.bin") || fail "no answer to a NUL string: $out"
grep -q "^receipt rejected - \[notification.children\[0\].family_name: holds a NUL byte at offset 3.*corr=$mid$" <<<"$out" ||
  fail "a NUL string: $out"
[ "$(broker_contacts)" = 1 ] || fail "a refused frame was stored"

# -- a notification whose contact cannot reach the desk in one frame is
# refused before its receipt; a large one that fits is delivered.
out=$(police_raw --notification-size $((200 * 1024)) --message-id big-fits) || fail "big: $out"
grep -q "^receipt accepted MASH-000002 corr=big-fits$" <<<"$out" || fail "200 KiB notification: $out"
wait_for 30 "the large contact at the desk" grep -q '"contact_id":"MASH-000002"' "$T/hub.out"
out=$(police_raw --notification-size $((max - 64)) --message-id big-over) || fail "too big: $out"
grep -q "^receipt rejected - \[notification: makes a contact of [0-9]* bytes; at most 221184 fit one frame" <<<"$out" ||
  fail "a notification too large for the desk: $out"
grep -q "corr=big-over$" <<<"$out" || fail "no correlation id: $out"
[ "$(broker_contacts)" = 2 ] || fail "the refused notification was stored"

# -- a pack over one frame: three agencies answer with full answers.
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
wait_for 60 "the pack at the desk" pack_ready ENQ-000001 1
pack=$(pack_file ENQ-000001 1)
grep -q '"partial": *false' "$pack" || fail "the pack is partial: $(head -c 300 "$pack")"
for a in police health education; do
  grep -q "\"agency\": *\"$a\"" "$pack" || fail "no answer from $a in the pack"
done
[ "$(sql 'SELECT count(*) FROM requests WHERE answered_at_ms > 0')" = 3 ] || fail "an answer was rolled back"
parts=$(sql "SELECT count(*) FROM outbox WHERE message_id LIKE '%.1'")
[ "$parts" -ge 1 ] || fail "the pack was not sent in parts"
wait_for 30 "every part acknowledged" sh -c "[ \"\$(sqlite3 '$T/mashd/mashd.db' \"SELECT count(*) FROM outbox WHERE delivered_at_ms IS NULL\")\" = 0 ]"
size=$(stat -c %s "$pack")
[ "$size" -gt $max ] || fail "the pack file is only $size bytes"
log "ok (a pack of $size bytes of JSON in parts)"
