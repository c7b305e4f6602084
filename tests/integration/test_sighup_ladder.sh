#!/usr/bin/env bash
# SIGHUP puts a changed escalation ladder in force without a restart: after
# the reload, a new request escalates by the new ladder's first step (a step
# the old ladder did not have), and a ladder that fails its checks is
# refused with the reason, the one in force kept.
. "$(dirname "$0")/lib.sh" "$1"

cat >"$T/mash.ini" <<INI
[mashd]
log_level = debug
INI
: >"$T/mashd.out"
"$B/broker/mashd" --config "$T/mash.ini" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
  --key "$T/certs/mashd.secret" --heartbeat-ms 500 --clock-rate 3600 >>"$T/mashd.out" 2>>"$T/mashd.log" &
PID[mashd]=$!
wait_for 15 "mashd ready" grep -q "ready on" "$T/mashd.out"
start_hub
police_submit "$EXAMPLES/dash-high.json" >/dev/null || fail "submit"
wait_for 20 "the contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"

# A ladder that fails its checks (a step before the one it follows) is refused.
cat >>"$T/mash.ini" <<INI
[escalation]
step = 1 early_warning 500 agency
step = 2 overdue 100 agency_duty_lead,hub_team_manager
INI
kill -HUP "${PID[mashd]}"
wait_for 10 "the bad ladder refused" grep -q "SIGHUP: .*level 2: permille 100 is before.*unchanged" "$T/mashd.log"

cat >"$T/mash.ini" <<INI
[mashd]
log_level = debug
[escalation]
step = 1 early_warning 100 agency
step = 2 overdue 1000 agency_duty_lead,hub_team_manager
step = 3 head_of_service 1500 head_of_service pack
INI
kill -HUP "${PID[mashd]}"
wait_for 10 "the new ladder reloaded" grep -q "SIGHUP: .*reloaded: escalation ladder" "$T/mashd.log"
grep "SIGHUP: .*applied only at restart:.*ladder" "$T/mashd.log" && fail "a ladder said to need a restart"

# Housing never answers: its request escalates by the new ladder, first at 10%.
screen_red MASH-000001 housing >/dev/null || fail "screen"
wait_for 30 "the new ladder's first step fired" grep -q "early_warning" "$T/mashd/escalations.log"
kill -0 "${PID[mashd]}" || fail "mashd is gone"
log "ok"
