#!/usr/bin/env bash
# bench/intake_pg.sh: bench-intake against PostgreSQL beside SQLite and the
# raw ceiling, in one run (issue 15), with the server's CPU time.
#
#   bench/intake_pg.sh [-n N] [-c K] [-w W] [--build DIR] [--statements]
#                      [--mashd PATH]...
#   -n, -c, -w      bench-intake's count, clients and window (default 10000 4 256)
#   --build         the build folder holding bench/bench-intake (default build/)
#   --mashd PATH    the mashd to run on PostgreSQL (repeat it to compare
#                   builds, each on an emptied database; default the build's)
#   --statements    also count the statements the server ran, by kind, over a
#                   small run (200 notifications, log_statement = all)
#
# On a throw-away cluster (tests/pg/with-pg.sh: a Unix socket, fsync and
# synchronous_commit on), bench-intake runs once with --store-url and once
# on SQLite (a folder in /tmp), each beside its own raw ceiling. The
# server's CPU time is read from the postmaster's reaped children (the
# backends that served mashd), since bench-intake's rusage has mashd's only.
# Prints bench-intake's lines for each, the server's CPU per notification
# and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MASH_TEST_PG_URL:-}" ]; then
  exec bash tests/pg/with-pg.sh bash "$0" "$@"
fi
n=10000 c=4 w=256 build=build statements=0 mashds=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -c) c=$2; shift 2 ;;
    -w) w=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --statements) statements=1; shift ;;
    --mashd) mashds+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "intake_pg.sh: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done
bench=$build/bench/bench-intake
psql=("$MASH_TEST_PG_BIN/psql" -X -q -d "$MASH_TEST_PG_URL")
postmaster=$(head -1 "$MASH_TEST_PG_DATA/postmaster.pid")
hz=$(getconf CLK_TCK)
# The CPU time (ms) of the postmaster's children that have ended.
server_ms() { awk -v hz="$hz" '{print int(($16 + $17) * 1000 / hz)}' "/proc/$postmaster/stat"; }

if [ "$statements" = 1 ]; then
  "${psql[@]}" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
  "$bench" -q -n 200 -c 1 -w 200 --store-url "$MASH_TEST_PG_URL" >/dev/null
  log=$(dirname "$MASH_TEST_PG_DATA")/server.log
  echo "statements the server ran for 200 notifications (one client, 200 in flight):"
  grep -o '\(statement\|execute [^:]*\): .\{0,60\}' "$log" | sed 's/[0-9]\+/N/g' | sort |
    uniq -c | sort -rn | head -25
  "${psql[@]}" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
fi

[ ${#mashds[@]} -gt 0 ] || mashds=("$build/broker/mashd")
for m in "${mashds[@]}"; do
  echo "== PostgreSQL (n $n, clients $c, window $w, $m)"
  "${psql[@]}" -c "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public"
  before=$(server_ms)
  "$bench" -q -n "$n" -c "$c" -w "$w" --mashd "$m" --store-url "$MASH_TEST_PG_URL"
  after=$(server_ms)
  echo "PostgreSQL server CPU: $((after - before)) ms = $(((after - before) * 1000 / n)) us per notification"
done
echo "== SQLite"
"$bench" -q -n "$n" -c "$c" -w "$w"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
