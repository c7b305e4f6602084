#!/usr/bin/env bash
# A restart on a disk that is still full never says "ready" (issue 10):
# mashd's data folder on a small tmpfs, filled to the last byte while it is
# down; the start is refused with the system's reason and no "ready" line.
# Once space is freed it starts and serves. Needs root for the mount (CI runs
# as root); skipped (77) otherwise.
. "$(dirname "$0")/lib.sh" "$1"

if [ "$(id -u)" -ne 0 ]; then
  log "skipped: needs root to mount a small tmpfs"
  exit 77
fi
mkdir -p "$T/small"
mount -t tmpfs -o size=8m,mode=0700 tmpfs "$T/small" || {
  log "skipped: cannot mount a tmpfs"
  exit 77
}
unmount() { umount -l "$T/small" 2>/dev/null || true; }
trap 'rc=$?; unmount; (exit $rc); cleanup' EXIT

data="$T/small/mashd"
mashd_start() {
  "$B/broker/mashd" --endpoint "$EP" --data "$data" --trust "$T/trusted" \
    --key "$T/certs/mashd.secret" --heartbeat-ms 500 "$@"
}

mashd_start >"$T/mashd.out" 2>>"$T/mashd.log" &
PID[mashd]=$!
wait_for 15 "mashd ready" grep -q "ready on" "$T/mashd.out"
make_notification 1 "$T/n1.json"
police_submit "$T/n1.json" | grep -q "accepted as MASH-000001" || fail "no receipt"
stop mashd

# Fill the disk while mashd is down.
dd if=/dev/zero of="$T/small/fill" bs=64k 2>/dev/null || true
avail=$(df --output=avail -k "$T/small" | tail -n 1 | tr -d ' ')
[ "$avail" -lt 64 ] || fail "the tmpfs is not full: ${avail} KiB free"

rc=0
mashd_start >"$T/full.out" 2>"$T/full.log" || rc=$?
[ $rc -ne 0 ] || fail "mashd ran on a full disk"
grep -q "ready" "$T/full.out" && fail "mashd said ready on a full disk: $(cat "$T/full.out")"
grep -q "No space left on device\|database or disk is full" "$T/full.log" ||
  fail "the refusal does not give the system's reason: $(cat "$T/full.log")"
log "refused on a full disk: $(tail -n 1 "$T/full.log")"

# Space freed: it starts, and still has its contact.
rm -f "$T/small/fill"
mashd_start >"$T/mashd.out" 2>>"$T/mashd.log" &
PID[mashd]=$!
wait_for 15 "mashd ready after space was freed" grep -q "ready on" "$T/mashd.out"
make_notification 2 "$T/n2.json"
police_submit "$T/n2.json" | grep -q "accepted as MASH-000002" || fail "no receipt after recovery"
stop mashd
log "ok"
