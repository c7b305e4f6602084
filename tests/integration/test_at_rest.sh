#!/usr/bin/env bash
# Nothing readable at rest, anywhere (issue 13). A full enquiry runs through
# real processes: a police file about a test child whose name is a unique
# marker (with her date of birth and NHS number) is dropped in the police
# spool, reaches the desk as a contact, is screened red with all four
# agencies asked (the consent reason naming her), every agency answers from
# records that hold her, the pack reaches the desk and the outcome is
# recorded. Then no file under any process's state folder (the broker's data,
# the desk's state, packs, commands and access log, every adapter's state and
# spool) nor any process's log or output holds the marker, her date of birth
# or her NHS number in plaintext: grep over every file, the SQLite files and
# their write-ahead logs included, while the processes run and after they stop.
# The agencies' own records and the dropped file's source stay in $T/input,
# which is the agencies' systems, not mash's state. Housing answers by hand
# (manual mode: the request naming her sealed in requests/, the answer naming
# her sealed once taken into answers/sent/); with the broker stopped, a
# second file about her waits for its receipt in the police spool's sent/
# (sealed), and a file about her that the adapter refuses is the one
# plaintext file allowed: the agency's own, in rejected/ at mode 0600.
. "$(dirname "$0")/lib.sh" "$1"

GIVEN=Quorazel
FAMILY=Vantrimble
DOB=2018-02-14
NHS=7314592608
NHS_SPACED="731 459 2608"
IN="$T/input"
mkdir -p "$IN"
# Maya Hartley of the examples becomes the marker child everywhere: the
# notification and every agency's records (findings that name her included).
marker() {
  sed -e "s/Maya/$GIVEN/g" -e "s/Hartley/$FAMILY/g" -e "s/2019-03-01/$DOB/g" \
    -e "s/943 476 5919/$NHS_SPACED/g" -e "s/9434765919/$NHS/g" "$1"
}
marker "$EXAMPLES/dash-high.json" >"$IN/child.json"
for a in police health education housing; do
  marker "$AGENCY_EXAMPLES/$a-records.json" >"$IN/$a-records.json"
done
grep -q "$GIVEN" "$IN/child.json" && grep -q "$NHS_SPACED" "$IN/child.json" ||
  fail "the marker child was not written"
grep -q "$FAMILY" "$IN/health-records.json" || fail "health's records do not hold the marker child"

start_mashd
# The desk prints JSON lines without child data (its default): its output is
# a log like any other here.
HUB_ARGS="--json" start_hub
for a in police health education; do
  start_agency "$a" --records "$IN/$a-records.json"
done
start_agency housing --manual "$T/housing/manual"

# Through the police spool (so accepted/ is exercised), not submit.
S="$T/police/spool"
cp "$IN/child.json" "$S/child.tmp"
mv "$S/child.tmp" "$S/child.json"
wait_for 30 "the spool file accepted" grep -q "MASH-" "$S/accepted/child.json.receipt"
wait_for 20 "the contact at the desk" grep -q '"contact_id":"MASH-000001"' "$T/hub.out"

out=$(hub screen MASH-000001 --rag red --ask police,health,education,housing \
  --consent not_sought --reason "asking $FAMILY's mother could place $GIVEN at risk" \
  --basis safeguarding --by "Duty social worker" \
  --rationale "DASH high risk; $GIVEN present") || fail "screen: $out"
grep -q "ENQ-000001" <<<"$out" || fail "no enquiry id in: $out"
# Housing's officer reads the sealed request and answers it by hand.
wait_for 20 "the request at housing" grep -q "^REQUEST REQ-" "$T/housing.out"
req=$(grep -o "^REQUEST REQ-[0-9]*" "$T/housing.out" | head -1 | cut -d' ' -f2)
shown=$("$B/agents/mash-housing" request "$req" --manual "$T/housing/manual" $(agent_opts housing)) ||
  fail "mash-housing request $req"
grep -q "$FAMILY" <<<"$shown" || fail "the request does not name the child: $(head -c 300 <<<"$shown")"
unset shown
cat >"$T/housing/manual/answers/.$req.tmp" <<JSON
{"no_information_held": false, "responder": "Housing duty officer",
 "summary": "$GIVEN $FAMILY (born $DOB) lives with her mother; tenancy since 2021.",
 "findings": [{"kind": "tenancy", "summary": "Secure tenancy since 2021", "at": "2021-04-01T00:00:00Z"}]}
JSON
mv "$T/housing/manual/answers/.$req.tmp" "$T/housing/manual/answers/$req.json"
wait_for 20 "the answer taken" test -f "$T/housing/manual/answers/sent/$req.json"
# The pack at the desk (the desk's JSON line for it: a summary, no names).
wait_for 60 "the consolidated pack at the desk" grep -q '"type":"pack".*"partial":false' "$T/hub.out"
out=$(hub decide MASH-000001 --outcome strategy_discussion --by "Team manager") ||
  fail "decide: $out"
# Every message every agent sent was receipted (nothing waits to be sent).
outboxes_settled() {
  local a
  for a in police health education housing hub; do
    [ "$(sqlite3 -cmd ".timeout 10000" "$T/$a/state.db" 'SELECT count(*) FROM outbox WHERE state = 0')" = 0 ] || return 1
  done
}
wait_for 30 "every outbox settled" outboxes_settled

# The desk's pack opens for a person (so it is there, and holds the child).
shown=$(hub pack show ENQ-000001 --by "Team manager") || fail "pack show failed"
grep -q "$FAMILY" <<<"$shown" || fail "the pack does not hold the child: $(head -c 300 <<<"$shown")"
unset shown

# found: the files under $T (not the agencies' input, not the keys) holding
# any of the child's details in plaintext.
found() {
  grep -r -a -l -F --exclude-dir=input --exclude-dir=certs \
    -e "$GIVEN" -e "$FAMILY" -e "$DOB" -e "$NHS" -e "$NHS_SPACED" "$T" || true
}
[ -e "$T/hub/state.db-wal" ] || [ -e "$T/hub/state.db" ] || fail "no desk state to search"
leaks=$(found)
[ -z "$leaks" ] || fail "plaintext child data while running, in: $leaks"

log "a file waiting in sent/, and a refused one in rejected/"
stop mashd
marker "$EXAMPLES/dash-high.json" | sed 's/"reference": *"[^"]*"/"reference": "PPN-AT-REST-2"/' >"$IN/child2.json"
cp "$IN/child2.json" "$S/child2.tmp"
mv "$S/child2.tmp" "$S/child2.json"
wait_for 20 "child2.json in sent/, awaiting its receipt" test -f "$S/sent/child2.json"
marker "$EXAMPLES/bad-date.json" | sed -e "s/Lily/$GIVEN/" -e "s/Stone/$FAMILY/" >"$S/bad.tmp"
grep -q "$FAMILY" "$S/bad.tmp" || fail "the refused file does not name the child"
chmod 644 "$S/bad.tmp"
mv "$S/bad.tmp" "$S/bad.json"
wait_for 20 "bad.json refused" test -f "$S/rejected/bad.json.error"
[ "$(stat -c %a "$S/rejected/bad.json")" = 600 ] ||
  fail "rejected/bad.json is mode $(stat -c %a "$S/rejected/bad.json")"
leaks=$(found)
[ "$leaks" = "$S/rejected/bad.json" ] || fail "plaintext child data with a file in sent/, in: $leaks"

for name in police health education housing hub; do stop "$name"; done
leaks=$(found)
[ "$leaks" = "$S/rejected/bad.json" ] || fail "plaintext child data after stopping, in: $leaks"
# What was searched: the state of every process, and their logs.
for f in "$T/mashd/mashd.db" "$T/hub/state.db" "$T/hub/access.log" "$T/police/state.db" \
  "$T/health/state.db" "$S/accepted/child.json" "$T/hub.out" "$T/mashd.log"; do
  [ -s "$f" ] || fail "expected $f to be searched, and it is missing or empty"
done
[ -n "$(find "$T/hub/packs" -name 'ENQ-000001-v*' -type f)" ] || fail "no pack file searched"
[ -n "$(find "$T/hub/commands/accepted" -name '*.json' -type f)" ] || fail "no command searched"
for f in "$S/sent/child2.json" "$T/housing/manual/requests/answered/$req.json" \
  "$T/housing/manual/answers/sent/$req.json"; do
  [ -s "$f" ] || fail "expected $f to be searched, and it is missing or empty"
done
log "ok"
