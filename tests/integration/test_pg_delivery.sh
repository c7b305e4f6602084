#!/usr/bin/env bash
# mashd on PostgreSQL (store = postgresql, issue 15): a police notification is
# stored in a throw-away cluster (tests/pg/with-pg.sh), receipted, delivered
# to the hub desk and marked delivered there; sealed (no child's name in any
# of the cluster's files); after a restart on the same database the same
# message is a duplicate of the same contact; the data key is rotated with
# mashctl rekey --store-url and mashd serves on the new one. Skips (77) only where
# PostgreSQL's binaries are absent.
if [ -z "${MASH_TEST_PG_URL:-}" ]; then
  exec bash "$(dirname "$0")/../pg/with-pg.sh" bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh" "$1"

psql_bin="$MASH_TEST_PG_BIN/psql"
pg() { "$psql_bin" -X -qtA -d "$MASH_TEST_PG_URL" -c "$1"; }

# (the URL has spaces: start mashd through a config file instead of word splitting)
cat >"$T/mashd.ini" <<INI
[mashd]
store = postgresql
store_url = $MASH_TEST_PG_URL
INI
MASHD_ARGS="--config $T/mashd.ini"

start_mashd
grep -q "ready on" "$T/mashd.out" || fail "mashd did not start on PostgreSQL"
[ ! -e "$T/mashd/mashd.db" ] || fail "mashd made an SQLite file though store = postgresql"
start_hub
out=$(police_submit "$EXAMPLES/dash-high.json") || fail "submit failed: $out"
echo "$out" | grep -q "accepted as MASH-000001" || fail "no accepted receipt: $out"
wait_for 20 "hub desk shows the contact" hub_has 1
line=$(head -n 1 "$T/hub.out")
echo "$line" | grep -q '"contact_id":"MASH-000001"' || fail "wrong contact: $line"
echo "$line" | grep -q '"source_principal":"police"' || fail "source not from the key: $line"
[ "$(pg 'SELECT count(*) FROM contacts')" = 1 ] || fail "the database holds not 1 contact"
one_delivered() { [ "$(pg 'SELECT count(*) FROM contacts WHERE delivered_at_ms IS NOT NULL')" = 1 ]; }
wait_for 20 "the desk's acknowledgement stored" one_delivered
pg "CHECKPOINT" >/dev/null
if grep -rqa "Hartley" "$MASH_TEST_PG_DATA"; then
  fail "plaintext child name in the PostgreSQL cluster's files"
fi
grep -rqa "MASH-000001" "$MASH_TEST_PG_DATA" || fail "the scan of the cluster read nothing"

# The same notification after a restart: the same contact, not a second one.
stop mashd
start_mashd
out=$(police_submit "$EXAMPLES/dash-high.json") || fail "resubmit failed: $out"
echo "$out" | grep -q "MASH-000001" || fail "the duplicate is not MASH-000001: $out"
[ "$(pg 'SELECT count(*) FROM contacts')" = 1 ] || fail "a duplicate was stored twice"

# The data key rotated on PostgreSQL (mashctl rekey --store-url): refused
# while a mashd holds the active lock; with it stopped, every blob re-sealed
# and every blind index made again; mashd then serves on the new key (a new
# contact is resolved against the re-sealed people and delivered).
ctl() { "$B/ops/mashctl" --data "$T/mashd" --store-url "$MASH_TEST_PG_URL" "$@"; }
if ctl rekey "$T/new.key" >"$T/rekey.out" 2>&1; then
  fail "rekey ran beside an active mashd: $(cat "$T/rekey.out")"
fi
stop mashd
ctl rekey "$T/new.key" >"$T/rekey.out" 2>&1 || fail "rekey: $(cat "$T/rekey.out")"
grep -q "^re-sealed [1-9][0-9]* blob(s) of the PostgreSQL store" "$T/rekey.out" ||
  fail "rekey: $(cat "$T/rekey.out")"
grep -q "dbname\|host=" "$T/rekey.out" && fail "rekey printed the connection string"
MASHD_ARGS="--config $T/mashd.ini --data-key $T/new.key"
start_mashd
out=$(police_submit "$EXAMPLES/dash-missing.json") || fail "submit after rekey failed: $out"
echo "$out" | grep -q "accepted as MASH-000002" || fail "no receipt after rekey: $out"
wait_for 20 "the desk shows the contact stored after the rekey" hub_has 2
grep -q "quarantin\|cannot open" "$T/mashd.log" && fail "a blob did not open after the rekey"
log "after the rotation: $(head -n 1 "$T/rekey.out")"

# No store_url: a clear refusal, not a silent SQLite.
if "$B/broker/mashd" --store postgresql --data "$T/x" --trust "$T/trusted" \
  --key "$T/certs/mashd.secret" --endpoint "ipc://$T/x.sock" >"$T/nourl.out" 2>&1; then
  fail "mashd started with store = postgresql and no store_url"
fi
grep -q "store_url" "$T/nourl.out" || fail "no reason given: $(cat "$T/nourl.out")"
log "ok"
