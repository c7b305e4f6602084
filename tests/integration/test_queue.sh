#!/usr/bin/env bash
# The screening queue comes out in priority order, not arrival order, with the
# reason for each priority; information-only notices last.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
start_hub
# Arrival order: information only, domestic abuse without DASH, high DASH.
police_submit "$EXAMPLES/info-only.json" "$EXAMPLES/dash-missing.json" \
  "$EXAMPLES/dash-high.json" >/dev/null || fail "submit"
wait_for 20 "three contacts at the desk" hub_has 3
queue=$(hub queue --json) || fail "mash-hub queue"
order=$(echo "$queue" | sed -n 's/.*"contact_id":"\(MASH-[0-9]*\)".*/\1/p' | tr '\n' ' ')
[ "$order" = "MASH-000003 MASH-000002 MASH-000001 " ] || fail "queue order: $order ($queue)"
first=${queue%%$'\n'*}
for reason in dash_high grade_raised children_present; do
  grep -q "\"$reason\"" <<<"$first" || fail "first item lacks reason $reason: $first"
done
echo "$queue" | tail -n 1 | grep -q '"information_only"' || fail "last item is not information only"
# Screened contacts leave the queue.
start_agency police --records "$AGENCY_EXAMPLES/police-records.json"
hub screen MASH-000003 --rag red --ask police --consent not_sought --reason "risk" \
  --basis safeguarding --by "Duty" >/dev/null || fail "screen"
queue=$(hub queue --json)
if grep -q MASH-000003 <<<"$queue"; then fail "a screened contact is still queued: $queue"; fi
[ "$(echo "$queue" | grep -c MASH-)" = 2 ] || fail "queue: $queue"
# The readable form gives the reasons in words.
readable=$(hub queue)
grep -q "MASH-000002" <<<"$readable" || fail "readable queue: $readable"
log "ok"
