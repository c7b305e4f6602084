#!/bin/bash
# with-pg.sh: run a command against a throw-away PostgreSQL cluster.
#
# Usage: tests/pg/with-pg.sh COMMAND [ARGS...]
#
# Creates a cluster in a temporary folder (initdb), starts it with pg_ctl
# listening on a Unix socket in that folder only (no TCP), runs COMMAND with
#   MASH_TEST_PG_URL   a libpq connection string to its database "mash"
#   MASH_TEST_PG_DATA  the cluster's data folder (tests read its files)
# then stops the cluster and removes the folder; exits with COMMAND's status.
# As root (CI), the server runs as the unprivileged user `nobody` (initdb and
# postgres refuse root) and the folder is given to it. Exits 77 (ctest's
# skip) with a message only when PostgreSQL's binaries are not installed.
set -u

if [ $# -eq 0 ] || [ "$1" = "--help" ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -eq 0 ] && exit 2 || exit 0
fi

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && bindir=$d
done
if [ -z "$bindir" ] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
  bindir=$(dirname "$(command -v initdb)")
fi
if [ -z "$bindir" ]; then
  echo "with-pg: SKIP: PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)" >&2
  exit 77
fi

dir=$(mktemp -d /tmp/mash-pg-XXXXXX) || exit 1
chmod 0755 "$dir"
as_server=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$dir"
  as_server=(runuser -u nobody --)
fi
data=$dir/data

cleanup() {
  "${as_server[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT

if ! "${as_server[@]}" "$bindir/initdb" -D "$data" -U mash --auth=trust -E UTF8 --no-locale \
    >"$dir/initdb.log" 2>&1; then
  echo "with-pg: initdb failed:" >&2
  cat "$dir/initdb.log" >&2
  exit 1
fi
# The socket in the folder, no TCP at all; small, and fsync on (the store's
# receipts rely on it).
opts="-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=on"
opts+=" -c synchronous_commit=on -c shared_buffers=16MB -c max_connections=20"
if ! "${as_server[@]}" "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -o "$opts" -w -t 60 \
    start >/dev/null; then
  echo "with-pg: the server did not start:" >&2
  cat "$dir/server.log" >&2
  exit 1
fi
if ! "$bindir/psql" -X -q -h "$dir" -U mash -d postgres -c "CREATE DATABASE mash" >/dev/null; then
  echo "with-pg: cannot create the database" >&2
  exit 1
fi

export MASH_TEST_PG_URL="host=$dir user=mash dbname=mash"
export MASH_TEST_PG_DATA=$data
export MASH_TEST_PG_BIN=$bindir
"$@"
status=$?
exit $status
