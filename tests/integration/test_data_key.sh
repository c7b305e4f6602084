#!/usr/bin/env bash
# The data key can live apart from the data folder (--data-key, or a systemd
# credential): mashd makes it there on first start (mode 0600), never in the
# data folder, and the next start reads the same key (the contacts sealed
# with it are still delivered). A data folder copied without its key is
# useless to whoever holds the copy, and mashd refuses to serve a store
# with a key that does not open it.
. "$(dirname "$0")/lib.sh" "$1"

mkdir -p "$T/keys"
chmod 700 "$T/keys"
MASHD_ARGS="--data-key $T/keys/data.key" start_mashd
[ -f "$T/keys/data.key" ] || fail "no data key made at --data-key"
[ "$(stat -c %a "$T/keys/data.key")" = 600 ] || fail "data key mode $(stat -c %a "$T/keys/data.key")"
[ ! -e "$T/mashd/data.key" ] || fail "a data key was written into the data folder"
make_notification 1 "$T/n1.json"
police_submit "$T/n1.json" | grep -q accepted || fail "notification not accepted"
stop mashd
key_sum=$(sha256sum <"$T/keys/data.key")

# Restart with the same key: the stored contact is still readable and reaches the desk.
MASHD_ARGS="--data-key $T/keys/data.key" start_mashd
[ "$(sha256sum <"$T/keys/data.key")" = "$key_sum" ] || fail "the data key changed on restart"
start_hub
wait_for 20 "the stored contact delivered with the separate key" hub_has 1
stop hub
stop mashd

# The data folder with another key: mashd refuses to start and says why,
# rather than serving a store it cannot read.
rc=0
timeout 20 "$B/broker/mashd" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
  --key "$T/certs/mashd.secret" --data-key "$T/keys/other.key" >"$T/wrongkey.out" 2>&1 || rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || fail "mashd with another data key: exit $rc (served or hung)"
grep -q "ready on" "$T/wrongkey.out" && fail "mashd said ready with another data key"
grep -q "the data key does not open" "$T/wrongkey.out" || fail "no reason given: $(cat "$T/wrongkey.out")"
log "ok"
