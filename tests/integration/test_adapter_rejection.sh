#!/usr/bin/env bash
# Files refused at the adapters are reported (issue 10, issue 12): an invalid
# police file dropped in the spool goes to rejected/ and the broker hears of
# it (an AdapterRejection: the agency from the CURVE key, the field names, no
# child data); `mashctl stats --json`, the console's connections panel and
# /metrics count it per agency. A report waits in the adapter's outbox while
# mashd is down and is counted once it is back; counts survive a restart.
# An oversized frame shows as its own rejection reason in /metrics.
# Unknown fields: warned about in the receipt file by default, refused with
# unknown_fields = reject (a config key of the agency's section).
. "$(dirname "$0")/lib.sh" "$1"

keygen ops ops trusted
start_mashd
start_hub
start_agency police
printf '[health]\nunknown_fields = reject\n' >"$T/health.ini"
start_agency health --config "$T/health.ini"

PY=/usr/bin/python3
echo "correct horse battery" | "$B/ops/mash-ops" passwd sam --users "$T/ops/users" >/dev/null ||
  fail "mash-ops passwd"
"$B/ops/mash-ops" --listen 127.0.0.1:0 --users "$T/ops/users" --refresh-ms 300 \
  --endpoint "$EP" --server-key "$T/certs/mashd.pub" --key "$T/certs/ops.secret" \
  >>"$T/ops.out" 2>>"$T/ops.log" &
PID[ops]=$!
URL=$(console_url)
wait_for 15 "/readyz" curl -sf "$URL/readyz"

stats() { "$B/ops/mashctl" --data "$T/mashd" stats --json; }
adapter_files() { # adapter_files PRINCIPAL: files refused at its adapter, per mashctl stats
  stats | "$PY" -c "import json,sys; s=json.load(sys.stdin); print(s['adapter_rejections'].get('$1', {}).get('files', 0))"
}
metric() { curl -sf "$URL/metrics" | grep -F "mash_adapter_rejections_total{principal=\"$1\"}" | awk '{print $2}'; }

# An oversized frame is a rejection reason of its own in /metrics.
out=$(rawsend --key "$T/certs/police.secret" --heartbeat-size $((256 * 1024 + 1))) || fail "oversized: $out"
wait_for 15 "/metrics counts the oversized frame" sh -c "curl -sf '$URL/metrics' | grep -qx 'mash_rejections_total{reason=\"oversized\"} 1'"

# An invalid file: rejected/ at the adapter, reported, counted.
drop() { cp "$1" "$2.tmp" && mv "$2.tmp" "$2"; } # drop FILE SPOOL_PATH: as an agency writes
drop "$EXAMPLES/bad-date.json" "$T/police/spool/bad-date.json"
wait_for 15 "bad-date rejected at the adapter" test -f "$T/police/spool/rejected/bad-date.json.error"
wait_for 15 "the report receipted" grep -q "rejection bad-date.json: accepted" "$T/police.out"
[ "$(adapter_files police)" = 1 ] || fail "mashctl stats: $(stats)"
stats | grep -qF '"children[].dob":1' || fail "the field name is not in the stats: $(stats)"
wait_for 15 "/metrics counts it" sh -c "[ \"\$(curl -sf '$URL/metrics' | grep -F 'mash_adapter_rejections_total{principal=\"police\"}' | awk '{print \$2}')\" = 1 ]"
page=$(curl -sf -u "sam:correct horse battery" "$URL/") || fail "the console page"
grep -q "refused at the adapter" <<<"$page" || fail "the connections panel has no adapter column"
grep -qF "children[].dob (1)" <<<"$page" || fail "the console does not name the field"
# No child data reached the broker's log or store.
if grep -q "Lily\|Stone" "$T/mashd.log"; then fail "child data in mashd's log"; fi
[ "$(sql "SELECT count(*) FROM adapter_rejections WHERE fields LIKE '%Lily%' OR reason LIKE '%Stone%'")" = 0 ] ||
  fail "child data in the store"

# A file that is not NAME.json is reported too.
echo "not json" >"$T/notes.txt"
drop "$T/notes.txt" "$T/police/spool/notes.txt"
wait_for 15 "notes.txt reported" grep -q "rejection notes.txt: accepted" "$T/police.out"
[ "$(adapter_files police)" = 2 ] || fail "not_json not counted: $(stats)"

# Durable at the adapter: mashd is down when the file is refused.
stop mashd
sed 's/"PPN-2026-000140"/"PPN-2026-000141"/' "$EXAMPLES/bad-date.json" >"$T/bad2.json"
drop "$T/bad2.json" "$T/police/spool/bad2.json"
wait_for 15 "bad2 rejected at the adapter" test -f "$T/police/spool/rejected/bad2.json.error"
# The only entry waiting for a receipt (labels are sealed in the outbox).
[ "$(sqlite3 -cmd ".timeout 10000" "$T/police/state.db" "SELECT count(*) FROM outbox WHERE state = 0")" = 1 ] ||
  fail "the report is not in the adapter's outbox"
start_mashd
wait_for 30 "the report resent and receipted" grep -q "rejection bad2.json: accepted" "$T/police.out"
[ "$(adapter_files police)" = 3 ] || fail "after the restart: $(stats)"
wait_for 20 "/metrics after the restart" sh -c "[ \"\$(curl -sf '$URL/metrics' | grep -F 'mash_adapter_rejections_total{principal=\"police\"}' | awk '{print \$2}')\" = 3 ]"

# Unknown fields: a warning in the receipt file (police, the default) ...
"$PY" - "$EXAMPLES/dash-high.json" "$T/police/spool/misspelt.tmp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["red_flg"] = True
d["children"][0]["nhs_numbr"] = "943 476 5919"
json.dump(d, open(sys.argv[2], "w"))
PY
mv "$T/police/spool/misspelt.tmp" "$T/police/spool/misspelt.json"
wait_for 20 "misspelt accepted" test -f "$T/police/spool/accepted/misspelt.json.receipt"
receipt=$(cat "$T/police/spool/accepted/misspelt.json.receipt")
grep -q "^accepted as MASH-" <<<"$receipt" || fail "receipt: $receipt"
grep -q "^warning: red_flg: unknown field" <<<"$receipt" || fail "no red_flg warning: $receipt"
grep -q "^warning: children\[0\].nhs_numbr: unknown field" <<<"$receipt" || fail "receipt: $receipt"
[ ! -e "$T/police/spool/sent/misspelt.json.warnings" ] || fail "the warnings were left in sent/"
# ... refused where the agency says so (health: unknown_fields = reject).
"$PY" - "$AGENCY_EXAMPLES/health-notification.json" "$T/health/spool/misspelt.tmp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["children"][0]["nhs_numbr"] = "943 476 5919"
json.dump(d, open(sys.argv[2], "w"))
PY
mv "$T/health/spool/misspelt.tmp" "$T/health/spool/misspelt.json"
wait_for 20 "health refuses the unknown field" test -f "$T/health/spool/rejected/misspelt.json.error"
grep -q "children\[0\].nhs_numbr: unknown field" "$T/health/spool/rejected/misspelt.json.error" ||
  fail "health error: $(cat "$T/health/spool/rejected/misspelt.json.error")"
wait_for 15 "health's report" grep -q "rejection misspelt.json: accepted" "$T/health.out"
[ "$(adapter_files health)" = 1 ] || fail "health not counted: $(stats)"
stats | grep -qF '"children[].nhs_numbr":1' || fail "health's field: $(stats)"
log "ok"
