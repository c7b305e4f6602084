#!/usr/bin/env bash
# SIGHUP never stops mashd: it re-reads the --config file, applies the log
# level and format at once, and names every other change as needing a
# restart. With log_format = json every log line is a JSON object with the
# level by name, for mashd and the adapters alike. log_file sends the log to
# a file that SIGHUP reopens after a rotation.
. "$(dirname "$0")/lib.sh" "$1"

cat >"$T/mash.ini" <<INI
[mashd]
log_level = info
log_format = json
INI
: >"$T/mashd.out"
"$B/broker/mashd" --config "$T/mash.ini" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
  --key "$T/certs/mashd.secret" --heartbeat-ms 500 >>"$T/mashd.out" 2>>"$T/mashd.log" &
PID[mashd]=$!
wait_for 15 "mashd ready" grep -q "ready on" "$T/mashd.out"

# JSON lines: every line parses, names its level, and the ready line is there.
python3 - "$T/mashd.log" <<'PY' || fail "a log line is not a JSON object with ts, program, level, msg"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no log lines"
for line in lines:
    o = json.loads(line)
    assert set(o) == {"ts", "program", "level", "msg"}, o
    assert o["level"] in ("debug", "info", "warn", "error"), o
assert any(json.loads(l)["msg"].startswith("ready on") for l in lines)
PY

kill -HUP "${PID[mashd]}"
wait_for 10 "the first reload logged" grep -q 'SIGHUP: .*re-read; log level info, format json in force"' "$T/mashd.log"
kill -0 "${PID[mashd]}" || fail "SIGHUP stopped mashd"

# Change the level, the format and the endpoint: the first two apply, the endpoint waits.
cat >"$T/mash.ini" <<INI
[mashd]
log_level = debug
log_format = text
endpoint = tcp://127.0.0.1:1
INI
kill -HUP "${PID[mashd]}"
wait_for 10 "the second reload logged" grep -q 'SIGHUP: .*log level debug, format text in force; changed but applied only at restart: endpoint' "$T/mashd.log"

# A broken file changes nothing and says why.
echo "log_level = loud" >>"$T/mash.ini"
kill -HUP "${PID[mashd]}"
wait_for 10 "the broken file refused" grep -q 'SIGHUP: .*log_level.*configuration unchanged' "$T/mashd.log"

# Still serving: a notification is receipted after three reloads (by an
# adapter logging JSON lines at debug level).
make_notification 1 "$T/n1.json"
# shellcheck disable=SC2046
"$B/agents/mash-police" submit --timeout 30 $(agent_opts police) --log-format json \
  --log-level debug "$T/n1.json" >"$T/submit.out" 2>"$T/police-json.log" ||
  fail "no receipt after SIGHUP"
grep -q accepted "$T/submit.out" || fail "no receipt after SIGHUP"
python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "the adapter logged nothing at debug level"
for l in lines:
    assert json.loads(l)["program"] == "mash-police", l
' "$T/police-json.log" || fail "the adapter's --log-format json lines are not JSON"
kill -0 "${PID[mashd]}" || fail "mashd is gone"

# log_file: the log goes to a file; after logrotate-style moving, SIGHUP
# reopens it under its name and the old file keeps what came before.
kill "${PID[mashd]}"
wait "${PID[mashd]}" || fail "mashd did not stop cleanly"
cat >"$T/rot.ini" <<INI
[mashd]
log_file = $T/rot.log
INI
: >"$T/mashd2.out"
"$B/broker/mashd" --config "$T/rot.ini" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
  --key "$T/certs/mashd.secret" --heartbeat-ms 500 >>"$T/mashd2.out" 2>>"$T/mashd2.err" &
PID[mashd]=$!
wait_for 15 "mashd ready again" grep -q "ready on" "$T/mashd2.out"
[ -s "$T/rot.log" ] || fail "nothing was logged to log_file"
[ ! -s "$T/mashd2.err" ] || fail "with log_file set, mashd still wrote to stderr: $(head -3 "$T/mashd2.err")"
mv "$T/rot.log" "$T/rot.log.1"
kill -HUP "${PID[mashd]}"
wait_for 10 "the log file reopened" grep -q 'SIGHUP: .*log file reopened' "$T/rot.log"
grep -q 'SIGHUP' "$T/rot.log.1" && fail "the SIGHUP line went to the moved file"
[ -s "$T/rot.log.1" ] || fail "the moved log file lost its lines"
# A log file that cannot be opened is refused at start, with the reason.
if "$B/broker/mashd" --log-file "$T/no-such-dir/x.log" --data "$T/other" >/dev/null 2>"$T/bad.err"; then
  fail "mashd started with a log file it cannot open"
fi
grep -q "cannot open the log file $T/no-such-dir/x.log: No such file or directory" "$T/bad.err" ||
  fail "unclear error for a bad log file: $(cat "$T/bad.err")"
log "ok"
