#!/usr/bin/env bash
# kill -9 of each process at random points under load (issue 10): the police
# adapter watches a spool that receives KILL_N notifications in KILL_ROUNDS
# drops (defaults 240 and 3; scripts/faults runs 2000 and 20). Each round
# drops its files, picks a process (mashd, the police adapter or the hub
# desk: in turn for the first three rounds, then at random), waits until a
# random part of that round's work has happened (contacts stored, receipts
# filed, or contacts shown at the desk), kills it with SIGKILL and starts it
# again. At the end: every file accepted with its own contact id, the
# broker holds exactly those contacts (none lost, none twice), and the desk
# shows each of them (a contact it showed but had not stored when killed may
# be shown again: at most one line more per kill of the desk).
# KILL_SEED makes a run repeatable (the seed is printed).
. "$(dirname "$0")/lib.sh" "$1"

N=${KILL_N:-240}
ROUNDS=${KILL_ROUNDS:-3}
SEED=${KILL_SEED:-$$}
RANDOM=$SEED
log "seed $SEED: $N notifications in $ROUNDS rounds"
S="$T/police/spool"
mkdir -p "$S" "$T/drop"
for i in $(seq 1 "$N"); do
  make_notification "kill-$i" "$T/drop/k$i.json"
done
accepted() { find "$S/accepted" -name 'k*.json.receipt' 2>/dev/null | wc -l; }
at_least() { [ "$("$1")" -ge "$2" ]; } # at_least COUNTER N
stored() { sql "SELECT count(*) FROM contacts" 2>/dev/null || echo 0; }

start_mashd
start_hub
start_agency police
targets=(mashd police hub)
kills=(0 0 0)
per=$(((N + ROUNDS - 1) / ROUNDS))
next=1
for r in $(seq 1 "$ROUNDS"); do
  last=$((next + per - 1))
  [ $last -le "$N" ] || last=$N
  [ $next -le $last ] || break
  count=$((last - next + 1))
  if [ "$r" -le 3 ]; then t=$(((r - 1) % 3)); else t=$((RANDOM % 3)); fi
  name=${targets[$t]}
  case $name in
    mashd) counter=stored ;;
    police) counter=accepted ;;
    hub) counter=hub_lines ;;
  esac
  # A random point in the first half of this round's work, counted from
  # before its files are dropped.
  base=$("$counter")
  want=$((base + 1 + RANDOM % (count / 2 + 1)))
  for i in $(seq "$next" "$last"); do
    mv "$T/drop/k$i.json" "$S/"
  done
  next=$((last + 1))
  wait_for 120 "$counter to reach $want before killing $name" at_least "$counter" "$want"
  stop "$name" KILL
  kills[$t]=$((kills[t] + 1))
  log "round $r: killed $name with $counter at $("$counter") (aimed at $want)"
  case $name in
    mashd) start_mashd ;;
    police) start_agency police ;;
    hub) start_hub ;;
  esac
done

wait_for $((120 + N / 5)) "all $N files accepted" at_least accepted "$N"
[ -z "$(ls -A "$S/rejected" 2>/dev/null)" ] || fail "files rejected: $(ls "$S/rejected" | head)"
[ -z "$(ls "$S"/k*.json 2>/dev/null)" ] || fail "files left in the spool"
[ -z "$(ls -A "$S/sent" 2>/dev/null)" ] || fail "files left in sent/: $(ls "$S/sent" | head)"
cat "$S"/accepted/k*.json.receipt | grep -oE "MASH-[0-9]{6}" | sort >"$T/receipted.ids"
[ "$(wc -l <"$T/receipted.ids")" = "$N" ] || fail "$(wc -l <"$T/receipted.ids") receipts name a contact, of $N"
[ "$(sort -u "$T/receipted.ids" | wc -l)" = "$N" ] || fail "two files were receipted with one contact id"
[ "$(stored)" = "$N" ] || fail "the broker holds $(stored) contacts for $N files"
sql "SELECT contact_id FROM contacts" | sort >"$T/stored.ids"
cmp -s "$T/receipted.ids" "$T/stored.ids" || fail "receipted ids differ from the stored ones: $(diff "$T/receipted.ids" "$T/stored.ids" | head -5)"

hub_ids() { grep -oE '"contact_id":"MASH-[0-9]{6}"' "$T/hub.out" | grep -oE "MASH-[0-9]{6}" | sort -u; }
hub_all() { [ "$(hub_ids | wc -l)" -ge "$N" ]; }
wait_for $((120 + N / 5)) "the desk shows all $N contacts" hub_all
hub_ids | cmp -s - "$T/stored.ids" || fail "the desk's contacts differ from the stored ones"
wait_for 60 "every contact acknowledged by the desk" sh -c "[ \"\$(sqlite3 '$T/mashd/mashd.db' \"SELECT count(*) FROM contacts WHERE delivered_at_ms IS NULL\")\" = 0 ]"
extra=$(($(hub_lines) - N))
[ "$extra" -le "${kills[2]}" ] || fail "the desk showed $extra contacts twice after ${kills[2]} kill(s) of it"
log "ok: $N files, kills: mashd ${kills[0]}, police ${kills[1]}, hub ${kills[2]}; $extra contact(s) shown again by a killed desk; $(grep -o 'duplicates [0-9]*' "$T/mashd.log" | awk '{s+=$2} END {print s+0}') resend(s) answered duplicate"
