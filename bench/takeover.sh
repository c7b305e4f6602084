#!/usr/bin/env bash
# bench/takeover.sh: the takeover time of issue 15, as the issue defines it:
# from kill -9 of the active mashd to the FIRST RECEIPT the agents get from
# the new active one (not to its "ready" line).
#
#   bench/takeover.sh [-r RUNS] [--heartbeat-ms MS] [--build DIR]
#   -r RUNS          takeovers to time (default 7)
#   --heartbeat-ms   the agent's and mashd's heartbeat (default 500): an agent
#                    moves to the next endpoint after 3 heartbeats of silence,
#                    which is most of the figure
#   --build          the build folder (default build/)
#
# On a throw-away PostgreSQL cluster (tests/pg/with-pg.sh: a Unix socket,
# fsync and synchronous_commit on), two mashd nodes (a, b), each with its
# own endpoint, key and DATA, share the database; one police adapter runs
# (`mash-police run`, a spool folder) with both endpoints. Each run: a file
# is accepted through the active node (the adapter follows it), the active
# node is killed with SIGKILL, and at once a new notification is dropped in
# the spool; the time until the adapter has its receipt (the file sealed in
# accepted/) is the takeover. The killed node is started again as the
# standby, and the next run kills the other one. Also printed: kill to the
# standby's "ready on" line. Polls every 10 ms (the resolution of the
# figures). Prints each run, then p50 and max, and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MASH_TEST_PG_URL:-}" ]; then
  exec bash tests/pg/with-pg.sh bash "$0" "$@"
fi
runs=7 hb=500 build=build
while [ $# -gt 0 ]; do
  case "$1" in
    -r|--runs) runs=$2; shift 2 ;;
    --heartbeat-ms) hb=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "takeover.sh: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done
. tests/integration/lib.sh "$build"
WAIT_POLL=0.01

keygen mashd-b broker
declare -A NODE_EP=([a]="ipc://$T/a.sock" [b]="ipc://$T/b.sock")
declare -A NODE_KEY=([a]=mashd [b]=mashd-b)
cat >"$T/mashd.ini" <<INI
[mashd]
store = postgresql
store_url = $MASH_TEST_PG_URL
INI
cat >"$T/agent.ini" <<INI
[agent]
heartbeat_ms = $hb
INI
start_node() { # start_node NAME: append to its .out, as active or standby
  "$B/broker/mashd" --endpoint "${NODE_EP[$1]}" --data "$T/node-$1" --trust "$T/trusted" \
    --key "$T/certs/${NODE_KEY[$1]}.secret" --data-key "$T/certs/mashd.data.key" \
    --heartbeat-ms "$hb" --log-level info --config "$T/mashd.ini" \
    >>"$T/$1.out" 2>>"$T/$1.log" &
  PID[$1]=$!
  disown "${PID[$1]}" # no "Killed" line from bash for the SIGKILL of each run
}
ready_count() { grep -c "ready on" "$T/$1.out" 2>/dev/null || true; }
standby_count() { grep -c "standby" "$T/$1.out" 2>/dev/null || true; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

start_node a
wait_for 30 "node a ready" grep -q "ready on" "$T/a.out"
start_node b
wait_for 30 "node b standby" grep -q "standby" "$T/b.out"
mkdir -p "$T/spool" "$T/stage"
"$B/agents/mash-police" run --config "$T/agent.ini" --endpoint "${NODE_EP[a]},${NODE_EP[b]}" \
  --server-key "$T/certs/mashd.pub,$T/certs/mashd-b.pub" --key "$T/certs/police.secret" \
  --state "$T/police/state.db" --spool "$T/spool" --manual "$T/manual" \
  >>"$T/police.out" 2>>"$T/police.log" &
PID[police]=$!

seq_no=0
accepted() { ls "$T/spool/accepted/" 2>/dev/null | grep -q "^$1\\.json"; }
submit_wait() { # submit_wait NAME: drop NAME.json in the spool, wait for its receipt
  make_notification "$1" "$T/stage/$1.json"
  mv "$T/stage/$1.json" "$T/spool/$1.json"
  wait_for 60 "the receipt of $1" accepted "$1"
}

active=a standby=b
receipt_ms=() ready_ms=()
for r in $(seq 1 "$runs"); do
  # Warm: the adapter follows the active node and has a receipt from it.
  seq_no=$((seq_no + 1))
  submit_wait "warm-$seq_no"
  readies=$(ready_count "$standby")
  seq_no=$((seq_no + 1))
  name="takeover-$seq_no"
  make_notification "$name" "$T/stage/$name.json"
  t0=$(now_ms)
  kill -KILL "${PID[$active]}"
  mv "$T/stage/$name.json" "$T/spool/$name.json"
  ready_at=0
  until accepted "$name"; do
    if [ "$ready_at" = 0 ] && [ "$(ready_count "$standby")" -gt "$readies" ]; then
      ready_at=$(now_ms)
    fi
    [ $(($(now_ms) - t0)) -lt 60000 ] || fail "run $r: no receipt within 60 s of the kill"
    sleep 0.01
  done
  t1=$(now_ms)
  [ "$ready_at" != 0 ] || ready_at=$t1
  while kill -0 "${PID[$active]}" 2>/dev/null; do sleep 0.01; done
  unset "PID[$active]"
  receipt_ms+=($((t1 - t0)))
  ready_ms+=($((ready_at - t0)))
  printf 'run %d: kill %s -> %s ready %5d ms, first receipt %5d ms\n' "$r" "$active" "$standby" \
    $((ready_at - t0)) $((t1 - t0))
  # The killed node comes back as the standby of the new active one.
  standbys=$(standby_count "$active")
  start_node "$active"
  until [ "$(standby_count "$active")" -gt "$standbys" ]; do sleep 0.01; done
  tmp=$active active=$standby standby=$tmp
done

stats() { # stats VALUES...: p50 and max (nearest rank)
  local sorted
  sorted=$(printf '%s\n' "$@" | sort -n)
  local n=$#
  local p50
  p50=$(echo "$sorted" | sed -n "$(((n + 1) / 2))p")
  echo "p50 $p50 ms, max $(echo "$sorted" | tail -1) ms"
}
echo "takeover ($runs runs, heartbeat ${hb} ms): kill -9 to first receipt: $(stats "${receipt_ms[@]}")"
echo "                                   kill -9 to standby ready: $(stats "${ready_ms[@]}")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
