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
# The command itself (not a shell function) is what runs in the background,
# so that PID[mashd] is mashd's own pid and stop() stops it.
mashd_cmd=("$B/broker/mashd" --endpoint "$EP" --data "$data" --trust "$T/trusted"
  --key "$T/certs/mashd.secret" --heartbeat-ms 500)

"${mashd_cmd[@]}" >"$T/mashd.out" 2>>"$T/mashd.log" &
PID[mashd]=$!
wait_for 15 "mashd ready" grep -q "ready on" "$T/mashd.out"
make_notification 1 "$T/n1.json"
police_submit "$T/n1.json" | grep -q "accepted as MASH-000001" || fail "no receipt"
stop mashd

# refused_when_full WHAT: fill the disk while mashd is down, start it:
# refused with the system's reason, never "ready"; then free the space.
refused_when_full() {
  dd if=/dev/zero of="$T/small/fill" bs=64k 2>/dev/null || true
  avail=$(df --output=avail -k "$T/small" | tail -n 1 | tr -d ' ')
  [ "$avail" -lt 64 ] || fail "$1: the tmpfs is not full: ${avail} KiB free"
  rc=0
  # Bounded: a regression that runs on (says ready) must fail, not hang.
  timeout 30 "${mashd_cmd[@]}" >"$T/full.out" 2>"$T/full.log" || rc=$?
  [ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "$1: mashd ran on a full disk (exit $rc)"
  grep -q "ready" "$T/full.out" && fail "$1: mashd said ready on a full disk: $(cat "$T/full.out")"
  grep -q "No space left on device\|database or disk is full" "$T/full.log" ||
    fail "$1: the refusal does not give the system's reason: $(cat "$T/full.log")"
  log "$1: refused on a full disk: $(tail -n 1 "$T/full.log")"
  rm -f "$T/small/fill"
}

# After a clean stop (no -wal left) and after kill -9 (the -wal and -shm
# left, so SQLite itself opens without writing).
refused_when_full "after a clean stop"
n=2
for how in KILL; do
  "${mashd_cmd[@]}" >"$T/mashd.out" 2>>"$T/mashd.log" &
  PID[mashd]=$!
  wait_for 15 "mashd ready after space was freed" grep -q "ready on" "$T/mashd.out"
  make_notification $n "$T/n$n.json"
  police_submit "$T/n$n.json" | grep -q "accepted as MASH-00000$n" || fail "no receipt after recovery"
  stop mashd $how
  test -f "$data/mashd.db-wal" || fail "no -wal left by kill -9"
  refused_when_full "after kill -9"
  n=$((n + 1))
done

# Space freed: it starts, and still has its contacts.
"${mashd_cmd[@]}" >"$T/mashd.out" 2>>"$T/mashd.log" &
PID[mashd]=$!
wait_for 15 "mashd ready after space was freed" grep -q "ready on" "$T/mashd.out"
make_notification $n "$T/n$n.json"
police_submit "$T/n$n.json" | grep -q "accepted as MASH-00000$n" || fail "no receipt after recovery"
stop mashd
log "ok"
