#!/usr/bin/env bash
# bench/profile-intake.sh: the instructions one notification costs along the
# one-in-flight path, in mashd (per thread) and in the sending agent
# (mash-police run, its spool), counted by callgrind, which load does not
# distort. Each side runs twice, with SMALL and LARGE notifications, and the
# difference divided by LARGE - SMALL is the cost of one notification
# (start-up and shutdown cancel out). Also counts the disk flushes per
# notification of each side. Never run by ctest: a benchmark.
#
#   bench/profile-intake.sh [--build DIR] [--small N] [--large N] [--keep]
#       --build DIR   the build tree (default build/)
#       --small N     notifications in the small run (default 100)
#       --large N     notifications in the large run (default 400)
#       --keep        keep the callgrind files (in the printed folder)
# Needs valgrind. Took 9 minutes at load average 25 (valgrind runs mashd ~50x slower).
# Read a file further with bench/callgrind_diff.py SMALL LARGE N.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$SRC/build SMALL=100 LARGE=400 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) B=$(cd "$2" && pwd); shift ;;
    --small) SMALL=$2; shift ;;
    --large) LARGE=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "profile-intake.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$LARGE" -gt "$SMALL" ] || { echo "profile-intake.sh: --large must exceed --small" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "profile-intake.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
for f in "$B/broker/mashd" "$B/bench/bench-intake" "$B/agents/mash-police" "$B/certs/mash-keygen"; do
  [ -x "$f" ] || { echo "profile-intake.sh: no $f (build first)" >&2; exit 2; }
done
W=$(mktemp -d /tmp/mash-profile-XXXXXX)
DIFF="python3 $SRC/bench/callgrind_diff.py"
cleanup() { if [ $KEEP = 1 ]; then echo "files kept in $W"; else rm -rf "$W"; fi; }
trap cleanup EXIT
N=$((LARGE - SMALL))

# --- mashd: bench-intake with one in flight, mashd under callgrind ---------
cat >"$W/mashd-cg.sh" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="\$CG_OUT.%p" "$B/broker/mashd" "\$@"
EOF
chmod +x "$W/mashd-cg.sh"
for n in $SMALL $LARGE; do
  CG_OUT="$W/mashd$n" "$B/bench/bench-intake" -q -c 1 -w 1 -n "$n" --mashd "$W/mashd-cg.sh" \
    --timeout 120000 >"$W/mashd$n.out" 2>&1 || { cat "$W/mashd$n.out"; exit 1; }
done
name_of() { # the thread's role, from its outermost function of ours
  if grep -q "fn=.*thread_main" "$1" && grep -q "s_intake_fold_run\|run_batch" "$1"; then echo storage
  elif grep -q "fn=.*uv_run" "$1" && grep -q "s_router_recv_cb" "$1"; then echo loop
  elif grep -q "esclog_feed" "$1"; then echo "escalation log feed (polls on a timer)"
  else echo "libzmq / other"; fi
}
echo "mashd, one notification in flight (bench-intake -c 1 -w 1), instructions per notification:"
for small in "$W"/mashd"$SMALL".*-[0-9]*; do
  t=${small##*-}
  large=$(ls "$W"/mashd"$LARGE".*-"$t" 2>/dev/null | head -1)
  [ -n "$large" ] || continue
  printf '  thread %s (%s):' "$t" "$(name_of "$large")"
  $DIFF "$small" "$large" "$N" --top 0
done
for role in loop storage; do
  for small in "$W"/mashd"$SMALL".*-[0-9]*; do
    t=${small##*-}
    large=$(ls "$W"/mashd"$LARGE".*-"$t" | head -1)
    [ "$(name_of "$large")" = $role ] || continue
    echo "mashd's $role thread, inclusive instructions per notification (top 40):"
    $DIFF "$small" "$large" "$N" --top 40 | tail -n +2 | grep -v '  0x'
    echo "mashd's $role thread, system calls and allocations per notification:"
    $DIFF "$small" "$large" "$N" --calls '^(fdatasync|fsync|pwrite|write|open|unlink|getpid|poll|malloc|calloc|realloc|free)$' | tail -n +2
  done
done

# --- the agent: mash-police run, N files dropped into its spool ------------
agent_run() { # agent_run N OUT
  local n=$1 out=$2 T="$W/agent$1"
  mkdir -p "$T/certs" "$T/trusted" "$T/spool" "$T/in"
  chmod 755 "$T/trusted"
  "$B/certs/mash-keygen" mashd --role broker --out "$T/certs" >/dev/null
  "$B/certs/mash-keygen" police --role agency --out "$T/certs" >/dev/null
  cp "$T/certs/police.pub" "$T/trusted/"
  local ep="ipc://$T/mashd.sock"
  "$B/broker/mashd" --endpoint "$ep" --data "$T/mashd" --trust "$T/trusted" \
    --key "$T/certs/mashd.secret" --log-level warn >"$T/mashd.out" 2>"$T/mashd.log" &
  local mpid=$!
  local deadline=$((SECONDS + 60))
  until grep -q "ready on" "$T/mashd.out"; do
    [ $SECONDS -lt $deadline ] || { echo "mashd not ready" >&2; kill $mpid; return 1; }
    sleep 0.1
  done
  for i in $(seq 1 "$n"); do
    sed "s/\"reference\": *\"[^\"]*\"/\"reference\": \"PPN-PROFILE-$i\"/" \
      "$SRC/agents/police/examples/dash-high.json" >"$T/in/n$i.json"
  done
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out.%p" \
    "$B/agents/mash-police" run --spool "$T/spool" --endpoint "$ep" --server-key "$T/certs/mashd.pub" \
    --key "$T/certs/police.secret" --state "$T/police/state.db" --log-level warn \
    >"$T/police.out" 2>"$T/police.log" &
  local apid=$!
  deadline=$((SECONDS + 120))
  until grep -q "watching" "$T/police.out"; do
    [ $SECONDS -lt $deadline ] || { echo "mash-police did not start" >&2; kill $apid $mpid; return 1; }
    sleep 0.2
  done
  for i in $(seq 1 "$n"); do mv "$T/in/n$i.json" "$T/spool/n$i.json"; done
  deadline=$((SECONDS + 900))
  until [ "$(find "$T/spool/accepted" -name '*.receipt' 2>/dev/null | wc -l)" -ge "$n" ]; do
    [ $SECONDS -lt $deadline ] || { echo "no receipts for every file" >&2; break; }
    sleep 0.2
  done
  kill -TERM $apid
  wait $apid || true
  kill -TERM $mpid
  wait $mpid || true
}
agent_run "$SMALL" "$W/agent-cg$SMALL"
agent_run "$LARGE" "$W/agent-cg$LARGE"
echo "mash-police run (spool), instructions per notification:"
for small in "$W"/agent-cg"$SMALL".*-[0-9]*; do
  t=${small##*-}
  large=$(ls "$W"/agent-cg"$LARGE".*-"$t" | head -1)
  printf '  thread %s:' "$t"
  $DIFF "$small" "$large" "$N" --top 0
done
small=$(ls "$W"/agent-cg"$SMALL".*-01) large=$(ls "$W"/agent-cg"$LARGE".*-01)
echo "mash-police's loop thread, inclusive instructions per notification (top 40):"
$DIFF "$small" "$large" "$N" --top 40 | tail -n +2 | grep -v '  0x'
echo "mash-police's loop thread, system calls per notification:"
$DIFF "$small" "$large" "$N" --calls '^(fdatasync|fsync|pwrite|write|open|rename|unlink)$' | tail -n +2
