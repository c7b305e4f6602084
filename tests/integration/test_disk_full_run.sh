#!/usr/bin/env bash
# Disk full while running, on each process's data (issue 10), each on a small
# tmpfs (needs root; skipped with 77 otherwise):
# 1. the hub desk's state full: contacts keep coming, the desk cannot store
#    them, so it acknowledges none and the broker keeps them in its outbox;
#    once space is freed they all reach the desk, once, with no restart;
# 2. mashd's data full under a stream of notifications: mashd receipts
#    nothing it could not store and stops with the system's reason; space
#    freed and mashd started again, the sender's outbox resends what had no
#    receipt and every notification is stored exactly once.
# (The adapter's own disk full is in test_spool_faults; a restart on a disk
# still full in test_disk_full_start.)
. "$(dirname "$0")/lib.sh" "$1"

if [ "$(id -u)" -ne 0 ]; then
  log "skipped: needs root to mount a small tmpfs"
  exit 77
fi
mkdir -p "$T/deskdisk" "$T/brokerdisk"
mount -t tmpfs -o size=4m,mode=0700 tmpfs "$T/deskdisk" || {
  log "skipped: cannot mount a tmpfs"
  exit 77
}
unmount() {
  umount -l "$T/deskdisk" 2>/dev/null || true
  umount -l "$T/brokerdisk" 2>/dev/null || true
}
trap 'rc=$?; unmount; (exit $rc); cleanup' EXIT
fill() { dd if=/dev/zero of="$1/fill" bs=16k 2>/dev/null || true; }
undelivered() { sql "SELECT count(*) FROM contacts WHERE delivered_at_ms IS NULL"; }
hub_ids() { grep -oE '"contact_id":"MASH-[0-9]{6}"' "$T/hub.out" | grep -oE "MASH-[0-9]{6}" | sort -u; }

# ---- 1. the desk's disk
start_mashd
# shellcheck disable=SC2046
"$B/agents/mash-hub" run --json --packs "$T/deskdisk/packs" $(agent_opts hub | sed "s|$T/hub/state.db|$T/deskdisk/state.db|") \
  >>"$T/hub.out" 2>>"$T/hub.log" &
PID[hub]=$!
make_notification 1 "$T/n1.json"
police_submit "$T/n1.json" | grep -q "accepted as MASH-000001" || fail "no receipt for 1"
wait_for 30 "the desk shows MASH-000001" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"
fill "$T/deskdisk"
files=()
for i in $(seq 2 21); do
  make_notification "$i" "$T/n$i.json"
  files+=("$T/n$i.json")
done
police_submit "${files[@]}" >"$T/submit1.out" || fail "submit while the desk's disk is full"
[ "$(grep -c "accepted as" "$T/submit1.out")" = 20 ] || fail "receipts: $(cat "$T/submit1.out")"
wait_for 60 "the desk saying why it cannot store" grep -qi "full\|No space" "$T/hub.log"
[ "$(undelivered)" -ge 1 ] || fail "the broker counts contacts delivered to a desk that could not store them"
log "desk disk full: $(undelivered) contact(s) wait in the broker's outbox; the desk says: $(grep -i "full\|No space" "$T/hub.log" | tail -n 1 | cut -c1-160)"
rm -f "$T/deskdisk/fill"
wait_for 120 "every contact delivered once space is freed" sh -c "[ \"\$(sqlite3 '$T/mashd/mashd.db' \"SELECT count(*) FROM contacts WHERE delivered_at_ms IS NULL\")\" = 0 ]"
kill -0 "${PID[hub]}" || fail "the desk died on a full disk"
[ "$(hub_ids | wc -l)" = 21 ] || fail "the desk shows $(hub_ids | wc -l) distinct contacts of 21"
stop hub
stop mashd

# ---- 2. mashd's disk, under a stream
mount -t tmpfs -o size=16m,mode=0700 tmpfs "$T/brokerdisk" || fail "cannot mount a second tmpfs"
cp -a "$T/mashd" "$T/brokerdisk/mashd"
mashd_cmd=("$B/broker/mashd" --endpoint "$EP" --data "$T/brokerdisk/mashd" --trust "$T/trusted"
  --key "$T/certs/mashd.secret" --heartbeat-ms 500)
"${mashd_cmd[@]}" >"$T/mashd.out" 2>>"$T/mashd.log" &
PID[mashd]=$!
wait_for 15 "mashd ready on the small disk" grep -q "ready on" "$T/mashd.out"
N=300
files=()
for i in $(seq 101 $((100 + N))); do
  make_notification "$i" "$T/m$i.json"
  files+=("$T/m$i.json")
done
# shellcheck disable=SC2046
"$B/agents/mash-police" submit --timeout 120 $(agent_opts police) "${files[@]}" \
  >"$T/submit2-0.out" 2>>"$T/police.log" &
PID[police]=$!
# Each sender its own output file (two writers of one file overwrite each
# other).
receipts() { cat "$T"/submit2-*.out; }
stored() { sqlite3 -cmd ".timeout 10000" "$T/brokerdisk/mashd/mashd.db" "SELECT count(*) FROM contacts" 2>/dev/null || echo 0; }
at_least() { [ "$(stored)" -ge "$1" ]; }
wait_for 60 "the stream under way" at_least 60
fill "$T/brokerdisk"
# Writes that fit pages SQLite had already allocated still succeed: more
# notifications (in batches of 50) until a commit needs a new block.
extra=0
while kill -0 "${PID[mashd]}" 2>/dev/null && [ $extra -lt 1000 ]; do
  batch=()
  for i in $(seq $((1000 + extra)) $((1049 + extra))); do
    make_notification "$i" "$T/x$i.json"
    batch+=("$T/x$i.json")
  done
  extra=$((extra + 50))
  # shellcheck disable=SC2046
  "$B/agents/mash-police" submit --timeout 120 $(agent_opts police) "${batch[@]}" \
    >"$T/submit2-$extra.out" 2>>"$T/police.log" &
  PID[police$extra]=$!
  wait_for 60 "batch $extra stored or mashd stopped" sh -c "! kill -0 ${PID[mashd]} 2>/dev/null || [ \$(cat '$T'/submit2-$extra.out | grep -c MASH-) -ge 50 ]"
done
wait_for 60 "mashd stopping on the full disk" sh -c "! kill -0 ${PID[mashd]} 2>/dev/null"
unset "PID[mashd]"
grep -q "No space left on device\|database or disk is full" "$T/mashd.log" ||
  fail "mashd stopped without the system's reason: $(tail -n 3 "$T/mashd.log")"
receipted=$(receipts | grep -c "accepted as\|already received as" || true)
rm -f "$T/brokerdisk/fill"
have=$(stored)
[ "$have" -ge $((21 + receipted)) ] || fail "$receipted receipted but only $have stored"
log "mashd stopped on a full disk (after $extra more) with $have contacts stored, $receipted receipted: $(grep -E "No space|disk is full" "$T/mashd.log" | tail -n 1 | cut -c1-160)"
"${mashd_cmd[@]}" >"$T/mashd.out" 2>>"$T/mashd.log" &
PID[mashd]=$!
wait_for 15 "mashd ready after space was freed" grep -q "ready on" "$T/mashd.out"
for p in police $(seq -f "police%g" 50 50 "$extra"); do
  pid=${PID[$p]:-}
  [ -n "$pid" ] || continue
  rc=0
  wait "$pid" || rc=$?
  unset "PID[$p]"
  [ $rc = 0 ] || fail "a sender ($p) exited $rc: $(tail -n 3 "$T/police.log")"
done
total=$((N + extra))
# Counted by file and by contact id (a sender may print a file's receipt
# again when the restarted broker answers its resend).
receipts | grep -E "(accepted as|already received as) MASH-" >"$T/receipts.txt" || true
got=$(cut -d: -f1 "$T/receipts.txt" | sort -u | wc -l)
[ "$got" = $total ] || fail "$got of $total files receipted"
[ "$(stored)" = $((21 + total)) ] || fail "stored $(stored), expected $((21 + total)): lost or duplicated"
[ "$(grep -oE "MASH-[0-9]{6}" "$T/receipts.txt" | sort -u | wc -l)" = $total ] ||
  fail "receipts name $(grep -oE "MASH-[0-9]{6}" "$T/receipts.txt" | sort -u | wc -l) contacts for $total files"
while read -r f; do
  [ "$(grep -F "$f:" "$T/receipts.txt" | grep -oE "MASH-[0-9]{6}" | sort -u | wc -l)" = 1 ] ||
    fail "$f was receipted with two contact ids"
done < <(cut -d: -f1 "$T/receipts.txt" | sort | uniq -d)
log "$(wc -l <"$T/receipts.txt") receipt lines for $total files ($(cut -d: -f1 "$T/receipts.txt" | sort | uniq -d | wc -l) printed twice, each with one contact id)"
log "ok: $total files receipted once each after the restart, $((21 + total)) contacts stored"
