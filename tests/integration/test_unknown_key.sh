#!/usr/bin/env bash
# A client whose CURVE key is not in the trust list gets nothing: no reply, no
# stored contact, a "denied unknown key" in the broker log. That holds for a
# fresh random key and for a properly generated key nobody trusted. mashd keeps
# serving the trusted agencies afterwards.
. "$(dirname "$0")/lib.sh" "$1"

start_mashd
denied() { count_in "$T/mashd.log" "denied unknown key"; }
denied_more_than() { [ "$(denied)" -gt "$1" ]; }

# A random key, never seen anywhere (mash-rawsend sends a heartbeat).
before=$(denied)
rc=0
out=$(rawsend --timeout 1000 --random-key) || rc=$?
[ "$out" = "no reply" ] || fail "random key got a reply: $out"
[ $rc = 3 ] || fail "mash-rawsend exit $rc for a random key, expected 3"
wait_for 10 "broker log denies the random key" denied_more_than "$before"

# The intruder: a real key pair from mash-keygen, not in trusted/. First the
# whole agent path (its submit cannot get a receipt), then its stored frame raw.
f="$T/n1.json"
make_notification 1 "$f"
before=$(denied)
rc=0
# shellcheck disable=SC2046
"$B/agents/mash-police" submit --timeout 1 $(agent_opts intruder) "$f" \
  >"$T/intruder.out" 2>>"$T/intruder.log" || rc=$?
[ $rc = 3 ] || fail "intruder submit exit $rc, expected 3 (no receipt in time)"
grep -q "MASH-" "$T/intruder.out" && fail "intruder got a contact id: $(cat "$T/intruder.out")"
wait_for 10 "broker log denies the intruder agent" denied_more_than "$before"
intruder_pub=$(sed -n 's/^public-key *= *//p' "$T/certs/intruder.pub")
[ ${#intruder_pub} = 40 ] || fail "cannot read the intruder's public key"
# The log names the first 8 characters of the refused key.
[ "$(count_in "$T/mashd.log" "denied unknown key ${intruder_pub:0:8}")" -ge 1 ] ||
  fail "broker log does not name the intruder's key"
outbox_frame intruder "$f" "$T/intruder-frame.bin"
before=$(denied)
rc=0
out=$(rawsend --timeout 1000 --key "$T/certs/intruder.secret" --frame "$T/intruder-frame.bin") || rc=$?
[ "$out" = "no reply" ] || fail "intruder key got a reply: $out"
[ $rc = 3 ] || fail "mash-rawsend exit $rc for the intruder key, expected 3"
wait_for 10 "broker log denies the intruder's raw frame" denied_more_than "$before"
grep -q "contact MASH-" "$T/mashd.log" && fail "the broker logged a contact for an unknown key"
[ "$(broker_contacts)" = 0 ] || fail "broker holds $(broker_contacts) contacts, expected 0"

# Still serving: the trusted police key gets the very first contact id.
kill -0 "${PID[mashd]}" 2>/dev/null || fail "mashd died"
out=$(police_submit "$f") || fail "police submit after the intruders failed: $out"
grep -q "accepted as MASH-000001" <<<"$out" || fail "police not accepted: $out"
[ "$(broker_contacts)" = 1 ] || fail "broker holds $(broker_contacts) contacts, expected 1"
log "ok"
