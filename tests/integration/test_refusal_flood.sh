#!/usr/bin/env bash
# An authenticated client cannot grow the broker without bound (issue 13):
# health answers request ids that are not its own as fast as it can. The
# first MASH_OPS_REFUSALS_BURST (20) are refused and stored (a resend gets
# the same answer; they expire after 7 days); the rest in the same minute are
# answered with an error and neither run nor stored; the log holds a bounded
# number of lines for them; another client is not held back.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
sql() { sqlite3 -cmd ".timeout 10000" "$T/mashd/mashd.db" "$@"; }
refused=0 held=0
for i in $(seq 1 30); do
  out=$(rawsend --key "$T/certs/health.secret" --answer "REQ-$((900000 + i))" --message-id "flood-$i") || true
  case "$out" in
  "receipt rejected"*"no request with this id is addressed to you"*) refused=$((refused + 1)) ;;
  "error 3 too many refused commands"*) held=$((held + 1)) ;;
  *) fail "answer $i: $out" ;;
  esac
done
log "refused $refused, held back $held"
[ "$refused" = 20 ] || fail "expected 20 refused before the limit, got $refused"
[ "$held" = 10 ] || fail "expected 10 held back, got $held"
[ "$(sql "SELECT count(*) FROM inbox WHERE principal = 'health' AND refused = 1")" = 20 ] ||
  fail "refusals stored: $(sql "SELECT count(*) FROM inbox WHERE principal = 'health'")"
# At most 5 lines per 10 s for them (mash_log_limited), not one per frame.
lines=$(count_in "$T/mashd.log" "refused: health answered")
[ "$lines" -lt "$refused" ] || fail "$lines log lines for $refused refusals: not bounded"
grep -q "more than 20 commands refused" "$T/mashd.log" || fail "the hold-back is not logged"
# Police is not held back by health's flood.
out=$(rawsend --key "$T/certs/police.secret" --answer REQ-999999 --message-id p-1) || true
grep -q "receipt rejected" <<<"$out" || fail "police was held back: $out"
log "ok"
