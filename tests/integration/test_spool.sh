#!/usr/bin/env bash
# mash-police run watches a spool folder like a real exporter would feed it
# (write FILE.tmp, then rename to FILE.json): a valid record ends in accepted/
# with a receipt naming its contact, an invalid one in rejected/ with an error
# file naming the field; the same record exported again gets the first
# contact id; nothing is left in the spool folder itself. An accepted file is
# sealed there (mode 0600, opened by `mash-police accepted`) and deleted once
# older than accepted_days.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
S="$T/spool"
mkdir -p "$S"
# shellcheck disable=SC2046
"$B/agents/mash-police" run --spool "$S" $(agent_opts police) >"$T/police.out" 2>>"$T/police.log" &
PID[police]=$!
wait_for 15 "mash-police watches the spool" grep -q "watching $S" "$T/police.out"

drop() { # drop SRC NAME: write the record as a temporary file, then rename it
  cp "$1" "$S/$2.tmp"
  mv "$S/$2.tmp" "$S/$2"
}
drop "$EXAMPLES/dash-high.json" dash-high.json
drop "$EXAMPLES/bad-date.json" bad-date.json

A="$S/accepted/dash-high.json"
R="$S/rejected/bad-date.json"
wait_for 30 "dash-high.json accepted with a receipt" grep -q "MASH-" "$A.receipt"
[ -f "$A" ] || fail "accepted/dash-high.json missing"
# Sealed in accepted/ (issue 13): owner-only, not the agency's plaintext, and
# opened for a person with the adapter's data key.
[ "$(stat -c %a "$A")" = 600 ] || fail "accepted/dash-high.json mode $(stat -c %a "$A")"
[ "$(stat -c %a "$A.receipt")" = 600 ] || fail "accepted/dash-high.json.receipt mode $(stat -c %a "$A.receipt")"
! cmp -s "$A" "$EXAMPLES/dash-high.json" || fail "accepted/dash-high.json is kept in plaintext"
! grep -q "reference" "$A" || fail "accepted/dash-high.json holds the record's text"
# shellcheck disable=SC2046
"$B/agents/mash-police" accepted dash-high.json --spool "$S" $(agent_opts police) >"$T/opened.json" ||
  fail "mash-police accepted could not open it"
cmp -s "$T/opened.json" "$EXAMPLES/dash-high.json" || fail "the opened file is not the file dropped"
grep -q "accepted as MASH-000001" "$A.receipt" || fail "receipt: $(cat "$A.receipt")"
wait_for 30 "bad-date.json rejected with an error file" grep -q "children\[0\].dob" "$R.error"
[ -f "$R" ] || fail "rejected/bad-date.json missing"

# The same record exported again under another name is recognised.
drop "$EXAMPLES/dash-high.json" again.json
wait_for 30 "again.json settled" grep -q "MASH-" "$S/accepted/again.json.receipt"
grep -q "already received as MASH-000001" "$S/accepted/again.json.receipt" ||
  fail "re-export receipt: $(cat "$S/accepted/again.json.receipt")"

left=$(find "$S" -mindepth 1 -maxdepth 1 ! -name sent ! -name accepted ! -name rejected)
[ -z "$left" ] || fail "left in the spool folder: $left"
[ -z "$(ls -A "$S/sent")" ] || fail "left in sent/: $(ls -A "$S/sent")"
names_in() { (cd "$1" && printf '%s ' *); }
[ "$(names_in "$S/accepted")" = "again.json again.json.receipt dash-high.json dash-high.json.receipt " ] ||
  fail "accepted/ holds: $(names_in "$S/accepted")"
[ "$(names_in "$S/rejected")" = "bad-date.json bad-date.json.error " ] ||
  fail "rejected/ holds: $(names_in "$S/rejected")"
[ "$(broker_contacts)" = 1 ] || fail "broker holds $(broker_contacts) contacts, expected 1"
kill -0 "${PID[police]}" 2>/dev/null || fail "mash-police run died"
stop police TERM

# Retention (issue 13): accepted/ keeps a file accepted_days days (30 by
# default). Made 31 days old, dash-high.json and its receipt are deleted at
# the next start; again.json, accepted today, stays.
touch -d "31 days ago" "$S/accepted/dash-high.json" "$S/accepted/dash-high.json.receipt"
# shellcheck disable=SC2046
"$B/agents/mash-police" run --spool "$S" $(agent_opts police) >"$T/police2.out" 2>>"$T/police.log" &
PID[police]=$!
wait_for 15 "mash-police watches the spool again" grep -q "watching $S" "$T/police2.out"
[ "$(names_in "$S/accepted")" = "again.json again.json.receipt " ] ||
  fail "after retention, accepted/ holds: $(names_in "$S/accepted")"
stop police TERM
log "ok"
