#!/usr/bin/env bash
# Every read recorded (issue 13): each view, print and export of a pack at
# the desk, and each match decision, is a line of the desk's hash-chained
# access log, with the operating-system account and the name given, written
# before the act. `mash-hub verify` finds it intact; after a line is altered
# it fails naming that line (and so does `mashctl verify FILE`).
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
start_hub
start_agency police --records "$AGENCY_EXAMPLES/police-records.json"
out=$(police_submit "$EXAMPLES/dash-high.json") || fail "submit: $out"
wait_for 20 "the contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"
out=$(screen_red MASH-000001 police) || fail "screen: $out"
wait_for 30 "the consolidated pack" pack_ready ENQ-000001 1
LOG="$T/hub/access.log"
me=$(id -un)

log "no name given: refused, nothing shown, nothing recorded"
rc=0
hub pack show ENQ-000001 >"$T/show0.out" 2>"$T/show0.err" || rc=$?
[ $rc = 2 ] || fail "pack show without --by: exit $rc"
[ ! -s "$T/show0.out" ] || fail "the pack was shown without a name"
[ ! -e "$LOG" ] || fail "an access line without a name"

log "view, print, export: each recorded, then done"
hub pack show ENQ-000001 --by "J Smith" >"$T/show.out" || fail "pack show failed"
grep -q '"enquiry_id": "ENQ-000001"' "$T/show.out" || fail "pack show did not print the pack"
page=$(hub pack print ENQ-000001 --by "J Smith") || fail "pack print failed"
[ -f "$page" ] || fail "pack print gave no file: $page"
[ "$(stat -c %a "$page")" = 600 ] || fail "the printable copy is mode $(stat -c %a "$page")"
grep -q "<html" "$page" && grep -q "ENQ-000001" "$page" || fail "the printable copy is not the page"
rm -f "$page"
# With a viewer the private copy lives only while the viewer runs.
mkdir -p "$T/tmp"
seen=$(TMPDIR="$T/tmp" hub pack print ENQ-000001 --by "J Smith" --viewer cat) ||
  fail "pack print --viewer failed"
grep -q "<html" <<<"$seen" || fail "the viewer did not get the page"
[ -z "$(ls -A "$T/tmp")" ] || fail "the viewer's copy was left behind: $(ls -A "$T/tmp")"
hub pack export ENQ-000001 --pack-version 1 --by "A Jones" --to "$T/export.json" || fail "export failed"
[ "$(stat -c %a "$T/export.json")" = 600 ] || fail "the export is mode $(stat -c %a "$T/export.json")"
cmp -s "$T/show.out" "$T/export.json" || fail "pack show and export rendered the pack differently"
rc=0
hub pack export ENQ-000001 --by "A Jones" --to "$T/export.json" 2>/dev/null || rc=$?
[ $rc = 1 ] || fail "an export over an existing file: exit $rc"
rc=0
hub pack show ENQ-000009 --by "J Smith" >/dev/null 2>&1 || rc=$?
[ $rc = 1 ] || fail "an unknown pack: exit $rc"

log "a match decision is recorded with what became of it"
rc=0
hub match reject M-000042 --by "J Smith" --rationale "not the same child" --wait 20 \
  >"$T/match.out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "an unknown match: exit $rc: $(cat "$T/match.out")"

[ "$(wc -l <"$LOG")" = 5 ] || fail "expected 5 access lines: $(cat "$LOG")"
python3 - "$LOG" "$me" <<'PY' || fail "access lines: $(cat "$LOG")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
me = sys.argv[2]
want = [("show", "J Smith"), ("print", "J Smith"), ("print", "J Smith"), ("export", "A Jones"),
        ("match_reject", "J Smith")]
for o, (action, staff) in zip(lines, want):
    assert o["action"] == action and o["staff"] == staff and o["os_user"] == me, o
    assert len(o["prev"]) == 64 and o["at_ms"] > 0, o
for o in lines[:4]:
    assert o["enquiry_id"] == "ENQ-000001" and o["version"] == 1, o
assert lines[3]["file"].endswith("/export.json"), lines[3]
assert lines[4]["match_id"] == "M-000042" and lines[4]["result"] == "refused", lines[4]
PY
[ "$(stat -c %a "$LOG")" = 600 ] || fail "access log mode $(stat -c %a "$LOG")"

log "verify: intact, then an altered line is named"
hub verify >"$T/verify.out" || fail "verify of an intact log: $(cat "$T/verify.out")"
grep -q "ok: .* holds 5 entries" "$T/verify.out" || fail "$(cat "$T/verify.out")"
sed -i '2s/J Smith/K Brown/' "$LOG"
rc=0
hub verify >"$T/verify2.out" || rc=$?
[ $rc = 1 ] || fail "verify of an altered log: exit $rc: $(cat "$T/verify2.out")"
grep -q "BROKEN: .*line 2 was edited" "$T/verify2.out" || fail "line 2 not named: $(cat "$T/verify2.out")"
rc=0
"$B/ops/mashctl" verify "$LOG" >"$T/verify3.out" || rc=$?
[ $rc = 1 ] && grep -q "line 2 was edited" "$T/verify3.out" || fail "mashctl verify: $(cat "$T/verify3.out")"
log "later lines do not hide the edit"
hub pack show ENQ-000001 --by "J Smith" >/dev/null || fail "pack show after the edit"
rc=0
hub verify >"$T/verify4.out" || rc=$?
[ $rc = 1 ] && grep -q "line 2 was edited" "$T/verify4.out" || fail "edit hidden: $(cat "$T/verify4.out")"
log "ok"
