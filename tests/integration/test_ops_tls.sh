#!/usr/bin/env bash
# mash-ops over HTTPS, with users signed in by TLS client certificate
# (--tls-cert, --tls-key, --tls-client-ca): a certificate authority, the
# console's certificate and two client certificates are made with openssl.
# A certificate from the authority signs its common name in, and the page
# view is logged with that user; no certificate, a certificate from another
# authority, or an expired one is refused with 403 and a log line saying
# why; /healthz stays open; plain HTTP gets no page; a private key readable
# by others and a certificate without its key are refused at start.
. "$(dirname "$0")/lib.sh" "$1"

command -v openssl >/dev/null || fail "openssl is needed"
keygen ops ops trusted
start_mashd

P="$T/pki"
mkdir -p "$P"
ossl() { openssl "$@" 2>>"$T/openssl.log" || fail "openssl $1 failed: $(tail -3 "$T/openssl.log")"; }
# An authority for users, the console's own certificate (signed by it too),
# alice (signed), mallory (her own authority), and an expired one.
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mash ops test CA" \
  -keyout "$P/ca.key" -out "$P/ca.pem"
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=someone else's CA" \
  -keyout "$P/other-ca.key" -out "$P/other-ca.pem"
sign() { # sign NAME CN CA [DAYS-OPTIONS...]
  local name=$1 cn=$2 ca=$3
  shift 3
  ossl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$P/$name.key" -out "$P/$name.csr"
  printf 'subjectAltName=IP:127.0.0.1\n' >"$P/ext.cnf"
  ossl x509 -req -in "$P/$name.csr" -CA "$P/$ca.pem" -CAkey "$P/$ca.key" -CAcreateserial \
    -extfile "$P/ext.cnf" -out "$P/$name.pem" "$@"
  chmod 600 "$P/$name.key"
}
sign server 127.0.0.1 ca -days 2
sign alice alice ca -days 2
sign mallory alice other-ca -days 2
# Expired: valid for no time at all (openssl x509 takes -days 0 as "until now").
ossl req -newkey rsa:2048 -nodes -subj "/CN=alice" -keyout "$P/old.key" -out "$P/old.csr"
ossl x509 -req -in "$P/old.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial \
  -out "$P/old.pem" -days 0
# "Until now" is this second: a check within it may still find it valid (the
# TLS library refuses only once its end is in the past). Wait for that.
old_end=$(date -d "$(openssl x509 -enddate -noout -in "$P/old.pem" | cut -d= -f2)" +%s)
past_end() { [ "$(date +%s)" -gt "$old_end" ]; }
wait_for 5 "the expired certificate's end to pass" past_end

OPS_ARGS=(--listen 127.0.0.1:0 --users "$T/ops/users" --refresh-ms 300 --endpoint "$EP"
  --server-key "$T/certs/mashd.pub" --key "$T/certs/ops.secret")

# Refused at start: a key others can read; a certificate without its key.
chmod 644 "$P/server.key"
if "$B/ops/mash-ops" "${OPS_ARGS[@]}" --tls-cert "$P/server.pem" --tls-key "$P/server.key" \
  2>"$T/bad.err"; then fail "mash-ops served with a world-readable key"; fi
grep -q "private key readable by group or others" "$T/bad.err" || fail "unclear: $(cat "$T/bad.err")"
chmod 600 "$P/server.key"
if "$B/ops/mash-ops" "${OPS_ARGS[@]}" --tls-cert "$P/server.pem" 2>"$T/bad.err"; then
  fail "mash-ops served a certificate without its key"
fi
grep -q "needs both --tls-cert and --tls-key" "$T/bad.err" || fail "unclear: $(cat "$T/bad.err")"

cat >"$T/ops.ini" <<INI
[ops]
tls_cert = $P/server.pem
tls_key = $P/server.key
tls_client_ca = $P/ca.pem
INI
"$B/ops/mash-ops" --config "$T/ops.ini" "${OPS_ARGS[@]}" >>"$T/ops.out" 2>>"$T/ops.log" &
PID[ops]=$!
URL=$(console_url)
port=${URL##*:}
[ "$URL" = "https://127.0.0.1:$port" ] || fail "the start line does not say HTTPS: $URL"
CURL=(curl -s --max-time 10 --cacert "$P/ca.pem")
wait_for 15 "/healthz over HTTPS" "${CURL[@]}" -f "$URL/healthz" -o /dev/null
grep -q "serving the console on https://127.0.0.1:$port/ (users by client certificate" \
  "$T/ops.log" || fail "the start line does not say HTTPS and client certificates"

code() { "${CURL[@]}" -o "$T/page.out" -w '%{http_code}' "$@" || true; }
[ "$(code --cert "$P/alice.pem" --key "$P/alice.key" "$URL/")" = 200 ] ||
  fail "alice's certificate did not sign her in: $(head -c 300 "$T/page.out")"
grep -q "alice" "$T/page.out" || fail "the page does not name its user"
wait_for 5 "alice's page view logged" grep -q "ops: alice viewed /" "$T/ops.log"

[ "$(code "$URL/")" = 403 ] || fail "a page was served without a client certificate"
wait_for 5 "the refusal logged" grep -q "refused a connection for /: no client certificate" "$T/ops.log"
# mallory's certificate names alice but comes from another authority; the
# expired one is alice's own. Neither is served a page, and the log says why.
[ "$(code --cert "$P/mallory.pem" --key "$P/mallory.key" "$URL/")" = 403 ] ||
  fail "a certificate from another authority was not refused"
wait_for 5 "the other authority's refusal logged" \
  grep -q "refused a connection for /: client certificate refused: .*NOT trusted" "$T/ops.log"
[ "$(code --cert "$P/old.pem" --key "$P/old.key" "$URL/")" = 403 ] ||
  fail "an expired certificate was not refused"
wait_for 5 "the expired certificate's refusal logged" \
  grep -q "refused a connection for /: client certificate refused: .*expired" "$T/ops.log"
[ "$(grep -c "viewed" "$T/ops.log")" = 1 ] || fail "a refused certificate viewed a page"
# Plain HTTP to the HTTPS port gets no page.
if curl -sf --max-time 5 "http://127.0.0.1:$port/healthz" >/dev/null; then
  fail "plain HTTP was served"
fi
kill -0 "${PID[ops]}" || fail "mash-ops is gone"
log "ok"
