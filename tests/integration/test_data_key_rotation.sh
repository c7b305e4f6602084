#!/usr/bin/env bash
# Data-key rotation (issue 13, "Keys"): `mashctl rekey NEW` re-seals a
# stopped broker's store under a new key in one transaction. Afterwards the
# old key no longer opens the store (mashd refuses to start with it) and the
# new one does: every stored contact is still opened and delivered to the
# desk. A rotation while mashd runs, or from a key that does not open the
# store, is refused and changes nothing.
. "$(dirname "$0")/lib.sh" "$1"

ctl() { "$B/ops/mashctl" --data "$T/mashd" "$@"; }
mkdir -p "$T/keys"
chmod 700 "$T/keys"
MASHD_ARGS="--data-key $T/keys/data.key" start_mashd
for n in 1 2 3; do
  make_notification "$n" "$T/n$n.json"
  police_submit "$T/n$n.json" | grep -q accepted || fail "notification $n not accepted"
done


log "mashd running: the rotation is refused"
rc=0
ctl --data-key "$T/keys/data.key" rekey "$T/keys/early.key" >"$T/busy.out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "rekey under a running mashd: exit $rc: $(cat "$T/busy.out")"
grep -q "stop mashd first" "$T/busy.out" || fail "busy: $(cat "$T/busy.out")"
make_notification 4 "$T/n4.json"
police_submit "$T/n4.json" | grep -q accepted || fail "mashd stopped serving after a refused rekey"
stop mashd

log "from a key that does not open the store: refused, nothing changed"
head -c 32 /dev/urandom >"$T/keys/wrong.key"
chmod 600 "$T/keys/wrong.key"
rc=0
ctl --data-key "$T/keys/wrong.key" rekey "$T/keys/wrong-next.key" >"$T/wrong.out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "rekey from a wrong key: exit $rc: $(cat "$T/wrong.out")"
grep -q "does not open with the current data key" "$T/wrong.out" || fail "$(cat "$T/wrong.out")"

log "rotation"
ctl --data-key "$T/keys/data.key" rekey "$T/keys/data.key.2" >"$T/rekey.out" 2>&1 ||
  fail "rekey: $(cat "$T/rekey.out")"
grep -q "re-sealed [1-9][0-9]* blob(s)" "$T/rekey.out" || fail "rekey: $(cat "$T/rekey.out")"
[ "$(stat -c %a "$T/keys/data.key.2")" = 600 ] || fail "new key mode $(stat -c %a "$T/keys/data.key.2")"
out=$(ctl --data-key "$T/keys/data.key" rekey "$T/keys/data.key.2" 2>&1) && fail "rotated twice: $out"

log "the old key no longer opens the store"
rc=0
timeout 20 "$B/broker/mashd" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
  --key "$T/certs/mashd.secret" --data-key "$T/keys/data.key" >"$T/old.out" 2>&1 || rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || fail "mashd with the old key: exit $rc (served or hung)"
grep -q "the data key does not open" "$T/old.out" || fail "old key: $(cat "$T/old.out")"

log "the new key does: every contact reaches the desk"
MASHD_ARGS="--data-key $T/keys/data.key.2" start_mashd
start_hub
wait_for 30 "the four contacts delivered under the new key" hub_has 4
make_notification 5 "$T/n5.json"
police_submit "$T/n5.json" | grep -q accepted || fail "no intake after rotation"
wait_for 30 "a new contact delivered" hub_has 5
log "ok"
