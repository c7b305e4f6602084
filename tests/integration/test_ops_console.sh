#!/usr/bin/env bash
# The operations console in a real browser: mashd (accelerated clock), the
# hub desk, four adapters (housing never answers) and mash-ops with real
# CURVE keys and a users file; Debian's Chromium, headless, driven by
# Selenium (ops_console_browser.py). The page loads, an escalation appears
# in the live feed without a reload, and the page's counts equal
# `mashctl stats --json`. Also: mashd's periodic counters and disconnect
# log lines, mashctl status and overdue (and --config), the desk's read-only
# commands without key files, sign-in refused without a user, /healthz,
# /readyz and /metrics open, the CSV, and every page view logged with its
# user. Skipped (77) when Chromium, its driver or Selenium is missing.
. "$(dirname "$0")/lib.sh" "$1"

PY=/usr/bin/python3
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null ||
  ! "$PY" -c "import selenium" 2>/dev/null; then
  log "skipped: chromium, chromium-driver or python3-selenium is not installed"
  exit 77
fi

keygen ops ops trusted
MASHD_ARGS="--clock-rate 3600 --stats-seconds 1" # one real second is one hour
start_mashd
start_hub
for a in police health education; do
  start_agency "$a" --records "$AGENCY_EXAMPLES/$a-records.json"
done
start_agency housing --manual "$T/housing/manual" # people answer: late

# A user for the console; the password comes on stdin.
echo "correct horse battery" | "$B/ops/mash-ops" passwd sam --users "$T/ops/users" >/dev/null ||
  fail "mash-ops passwd"
[ "$(stat -c %a "$T/ops/users")" = 600 ] || fail "users file is not mode 600"
grep -q "correct horse" "$T/ops/users" && fail "the users file holds the password"

"$B/ops/mash-ops" --listen 127.0.0.1:0 --users "$T/ops/users" --refresh-ms 300 \
  --endpoint "$EP" --server-key "$T/certs/mashd.pub" --key "$T/certs/ops.secret" \
  >>"$T/ops.out" 2>>"$T/ops.log" &
PID[ops]=$!
URL=$(console_url)
port=${URL##*:}
wait_for 15 "/healthz" curl -sf "$URL/healthz"
wait_for 15 "/readyz (mash-ops hears mashd)" curl -sf "$URL/readyz"
"$B/ops/mash-ops" check --listen "127.0.0.1:$port" >/dev/null || fail "mash-ops check"
if "$B/ops/mash-ops" check --listen "127.0.0.1:1" 2>/dev/null; then fail "check passed with no console"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/")
[ "$code" = 401 ] || fail "the console without a user answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -u sam:wrong-password "$URL/")
[ "$code" = 401 ] || fail "a wrong password answered $code"
grep -q "refused a sign-in as 'sam'" "$T/ops.log" || fail "a refused sign-in is not logged"

police_submit "$EXAMPLES/dash-high.json" >/dev/null || fail "submit"
wait_for 20 "the contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"

# The browser: it signals when the page is up; then the contact is screened
# red, and the reminder to housing (75% of 4 h: three real seconds later)
# must appear on the open page.
"$PY" "$SRC/tests/integration/ops_console_browser.py" --url "$URL" --user sam \
  --password "correct horse battery" --ready "$T/browser.ready" \
  --mashctl "$B/ops/mashctl" --data "$T/mashd" ${MASH_SCREENSHOTS:+--screenshots "$MASH_SCREENSHOTS"} \
  >>"$T/browser.out" 2>>"$T/browser.log" &
PID[browser]=$!
wait_for 60 "the console open in Chromium" test -f "$T/browser.ready"
screen_red MASH-000001 police,health,education,housing >/dev/null || fail "screen"
wait "${PID[browser]}" || fail "the browser test failed: $(tail -n 5 "$T/browser.log")"
unset "PID[browser]"
grep -q "escalation appeared without a reload" "$T/browser.out" || fail "no live escalation"
grep -q "counts match mashctl stats" "$T/browser.out" || fail "counts not compared"

# mashctl asks the same mashd as the ops role, with --config like the others.
cat >"$T/mash.ini" <<INI
[agent]
endpoint = $EP
server_key = $T/certs/mashd.pub
[mashctl]
key = $T/certs/ops.secret
data = $T/mashd
INI
st=$("$B/ops/mashctl" --config "$T/mash.ini" status) || fail "mashctl status: $st"
grep -q "store ok" <<<"$st" || fail "status: $st"
grep -Eq "^  housing +agency +connected" <<<"$st" || fail "status has no housing: $st"
grep -Eq "^  ops +ops +connected" <<<"$st" || fail "status has no console: $st"
# Housing's request passes its deadline one accelerated hour after the
# reminder the browser saw: poll for it rather than race it.
housing_overdue() {
  "$B/ops/mashctl" --config "$T/mash.ini" overdue >"$T/overdue.out" 2>&1 &&
    grep -Eq "^  housing +level [0-9]+ +1$" "$T/overdue.out"
}
wait_for 60 "housing's request listed by mashctl overdue" housing_overdue
"$B/ops/mashctl" --config "$T/mash.ini" stats --json >"$T/stats-config.json" || fail "stats --config"
grep -q '"contacts":1' "$T/stats-config.json" || fail "stats through --config: $(cat "$T/stats-config.json")"
out=$("$B/ops/mashctl" --config "$T/mash.ini" --key "$T/certs/hub.secret" status 2>&1) &&
  fail "status with a hub key: $out"
grep -q "only the ops role" <<<"$out" || fail "a hub key is not refused clearly: $out"

# The desk's read-only commands need no CURVE key, only the desk's data key
# (which opens its sealed state).
DK="$T/certs/hub.data.key"
for cmd in list queue packs; do
  out=$(cd "$T" && "$B/agents/mash-hub" "$cmd" --state "$T/hub/state.db" --key "$T/no-such.secret" \
    --server-key "$T/no-such.pub" --data-key "$DK" 2>&1) || fail "mash-hub $cmd without keys: $out"
done
(cd "$T" && "$B/agents/mash-hub" list --state "$T/hub/state.db" --key "$T/no-such.secret" \
  --data-key "$DK") |
  grep -q MASH-000001 || fail "mash-hub list without keys does not list the contact"
# Without the data key the state does not open, and says why.
out=$(cd "$T" && "$B/agents/mash-hub" list --state "$T/hub/state.db" --key "$T/no-such.secret" 2>&1) &&
  fail "mash-hub list opened the state without its data key: $out"
grep -q "data key" <<<"$out" || fail "no reason given without the data key: $out"
out=$("$B/agents/mash-hub" list --state "$T/nowhere/state.db" 2>&1) && fail "list of no state: $out"
grep -q "no desk state" <<<"$out" || fail "list of no state: $out"

# Every page view is logged with its user.
grep -q "ops: sam viewed /events" "$T/ops.log" || fail "the feed view is not logged"
grep -q "ops: sam viewed /mi" "$T/ops.log" || fail "the MI view is not logged"

# Monitoring endpoints and the CSV.
metrics=$(curl -sf "$URL/metrics") || fail "/metrics"
grep -q '^mash_up 1$' <<<"$metrics" || fail "mash_up is not 1"
grep -q '^mash_intake_total 1$' <<<"$metrics" || fail "intake not counted: $(echo "$metrics" | grep intake)"
grep -q '^mash_agencies_connected 4$' <<<"$metrics" || fail "agencies connected: $(echo "$metrics" | grep connected)"
grep -Eq '^mash_escalations_total\{level="1"\} [1-9]' <<<"$metrics" || fail "escalations by level"
grep -q '^mash_store_commit_seconds_count [1-9]' <<<"$metrics" || fail "no commit latency"
csv=$(curl -sf -u "sam:correct horse battery" "$URL/mi.csv?from=2000-01-01&to=2100-01-01") || fail "/mi.csv"
grep -q '^contacts,total,,1' <<<"$csv" || fail "CSV contacts: $csv"
grep -q '^contacts_by_source,police,,1' <<<"$csv" || fail "CSV sources"
csv=$(curl -sf -u "sam:correct horse battery" "$URL/mi.csv?from=2000-01-01&to=2000-01-31") || fail "/mi.csv"
grep -q '^contacts,total,,0' <<<"$csv" || fail "a range before the contact counts it: $csv"

# mashd writes its counters while running, and logs an adapter gone silent.
wait_for 10 "the counters logged while running" grep -q "stats: received" "$T/mashd.log"
# With them, the person comparison summaries held in memory (SQLite's cache).
wait_for 10 "the summaries held logged" \
  grep -Eq "stats: person index: [0-9]+ comparison summaries held in memory \([0-9.]+ MiB mapped\)" \
  "$T/mashd.log"
stop housing
wait_for 20 "housing's disconnect logged" grep -q "housing (agency) disconnected" "$T/mashd.log"

# mashd gone: not ready.
stop mashd
wait_for 15 "/readyz failing without mashd" sh -c "! curl -sf '$URL/readyz'"
log "ok"
