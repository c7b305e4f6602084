# Shared set-up for the integration tests: real processes (mashd, mash-hub,
# mash-police) on an ipc:// endpoint in a fresh temporary folder (in
# MASH_TEST_TMP, default /tmp; keep the path short for ipc://), with CURVE
# keys generated there. Source it with the build folder as $1:
#   . "$(dirname "$0")/lib.sh" "$1"
# Every helper waits for a condition (polling), never for a fixed time.
set -euo pipefail

B=$(cd "${1:?usage: test.sh BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d "${MASH_TEST_TMP:-/tmp}/mash-it-XXXXXX")
EP="ipc://$T/mashd.sock"
EXAMPLES="$SRC/agents/police/examples"
declare -A PID=()

log() { printf '%s: %s\n' "$(basename "$0" .sh)" "$*"; }

dump_logs() {
  for f in "$T"/*.log "$T"/*.out; do
    [ -f "$f" ] || continue
    # The desk's JSON lines carry the (synthetic) children's details: CI
    # output is no place for them; the file is kept in $T with the rest.
    if [ "$(basename "$f")" = hub.out ]; then
      echo "----- hub.out: child data, not printed ($(wc -l <"$f") lines, kept in $T)"
      continue
    fi
    echo "----- $(basename "$f") (last 30 lines)"
    tail -n 30 "$f"
  done
}

fail() {
  echo "FAIL: $*" >&2
  dump_logs >&2
  exit 1
}

stop() { # stop NAME [SIGNAL]: signal a started process and wait for it
  local name=$1 sig=${2:-TERM}
  local pid=${PID[$name]:-}
  [ -n "$pid" ] || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "PID[$name]"
}

cleanup() {
  local rc=$?
  for name in "${!PID[@]}"; do stop "$name" KILL; done
  if [ $rc -eq 0 ] && [ -z "${MASH_KEEP:-}" ]; then rm -rf "$T"; else echo "(files kept in $T)"; fi
}
trap cleanup EXIT

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND until it succeeds
# (every WAIT_POLL seconds, default 0.05).
wait_for() {
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${secs}s waiting for: $what"
    sleep "${WAIT_POLL:-0.05}"
  done
}

keygen() { # keygen NAME ROLE [trusted]
  "$B/certs/mash-keygen" "$1" --role "$2" --out "$T/certs" >/dev/null
  if [ "${3:-}" = trusted ]; then cp "$T/certs/$1.pub" "$T/trusted/"; fi
}

mkdir -p "$T/certs" "$T/trusted"
chmod 755 "$T/trusted" # mashd refuses a trust folder others can write, whatever the umask
keygen mashd broker
keygen police agency trusted
keygen health agency trusted
keygen education agency trusted
keygen housing agency trusted
keygen hub hub trusted
keygen intruder agency # never trusted

start_mashd() {
  : >"$T/mashd.out"
  "$B/broker/mashd" --endpoint "$EP" --data "$T/mashd" --trust "$T/trusted" \
    --key "$T/certs/mashd.secret" --heartbeat-ms 500 --log-level debug ${MASHD_ARGS:-} >>"$T/mashd.out" 2>>"$T/mashd.log" &
  PID[mashd]=$!
  wait_for 15 "mashd ready" grep -q "ready on" "$T/mashd.out"
}

agent_opts() { # agent_opts NAME: the common options for an agent using key NAME
  echo --endpoint "$EP" --server-key "$T/certs/mashd.pub" --key "$T/certs/$1.secret" \
    --state "$T/$1/state.db"
}

# start_hub: the desk, printing JSON lines with child data (the tests read
# the contacts from hub.out); HUB_ARGS replaces "--json --include-child-data".
start_hub() {
  # shellcheck disable=SC2046,SC2086
  "$B/agents/mash-hub" run ${HUB_ARGS:---json --include-child-data} $(agent_opts hub) \
    >>"$T/hub.out" 2>>"$T/hub.log" &
  PID[hub]=$!
}

police_submit() { # police_submit [--as NAME] FILE...: prints receipts, returns its exit code
  local who=police
  if [ "${1:-}" = --as ]; then who=$2; shift 2; fi
  # shellcheck disable=SC2046
  "$B/agents/mash-police" submit --timeout 30 $(agent_opts "$who") "$@" 2>>"$T/$who.log"
}

broker_contacts() { sql "SELECT count(*) FROM contacts"; }
hub_lines() { if [ -f "$T/hub.out" ]; then wc -l <"$T/hub.out"; else echo 0; fi; }
hub_has() { [ "$(hub_lines)" -ge "$1" ]; }

# The receipts in police_submit's output FILE: one line a submission, "accepted
# as" or, for one the broker had stored before its answer was lost (a resend
# across a kill or a failover), "already received as".
receipted() { grep -cE "(accepted|already received) as MASH-" "$1" || true; }

# make_notification N [FILE]: a valid police notification whose reference is
# unique to N (so each is a distinct message), written to FILE or stdout.
make_notification() {
  local n=$1 out=${2:-/dev/stdout}
  sed "s/\"reference\": *\"[^\"]*\"/\"reference\": \"PPN-TEST-$n\"/" "$EXAMPLES/dash-high.json" >"$out"
}

# rawsend ARGS...: mash-rawsend to this broker (ARGS: --key FILE or
# --random-key, --frame FILE..., --timeout MS to wait less than 5 s for an
# answer that should not come); prints its reply lines, returns its exit code.
rawsend() {
  "$B/tests/mash-rawsend" --endpoint "$EP" --server-key "$T/certs/mashd.pub" \
    --timeout 5000 "$@"
}

# outbox_frame NAME FILE OUT: write to OUT the frame mash-police sends for
# police FILE (as agent NAME: the frame does not name its sender). The
# adapters seal their outbox and drop a frame once receipted, so the frame is
# made again, with the same content-derived message id.
outbox_frame() {
  rm -f "$3"
  "$B/tests/mash-rawsend" --encode-police "$2" --out "$3" >/dev/null || fail "cannot encode $2 for $1"
  [ -s "$3" ] || fail "no frame for $2"
}

# count_in FILE TEXT: how many lines of FILE contain TEXT (0 if none or no file).
count_in() {
  local n
  n=$(grep -cF -- "$2" "$1" 2>/dev/null) || true
  echo "${n:-0}"
}

AGENCY_EXAMPLES="$SRC/agents/agency/examples"

# start_agency NAME [ARGS...]: `mash-NAME run` with its spool in $T/NAME/spool
# (ARGS: --records FILE or --manual DIR); waits until it is watching.
start_agency() {
  local name=$1
  shift
  : >"$T/$name.out"
  # shellcheck disable=SC2046
  "$B/agents/mash-$name" run --spool "$T/$name/spool" $(agent_opts "$name") "$@" \
    >>"$T/$name.out" 2>>"$T/$name.log" &
  PID[$name]=$!
  wait_for 15 "the $name adapter" grep -q "watching" "$T/$name.out"
}

# hub CMD ARGS...: a one-shot mash-hub command (screen, decide, packs, list)
# against the running desk's state folder; prints its output.
hub() {
  local cmd=$1
  shift
  # shellcheck disable=SC2046
  "$B/agents/mash-hub" "$cmd" $(agent_opts hub) "$@" 2>>"$T/hub-cli.log"
}

# screen_red CONTACT AGENCIES: screen a contact red, consent not sought.
screen_red() {
  hub screen "$1" --rag red --ask "$2" --consent not_sought \
    --reason "seeking consent could place the children at risk" --basis safeguarding \
    --by "Duty social worker" --rationale "DASH high risk; children present"
}

PACKS="$T/hub/packs"
# Packs are kept sealed (ENQ-vN.pack); the desk renders them for a person.
pack_ready() { test -f "$PACKS/$1-v$2.pack"; } # pack_ready ENQ VERSION
# pack_file ENQ VERSION: the pack's JSON, exported by `mash-hub pack export`
# to a file of $T/rendered (recorded in the desk's access log); a path that
# does not exist when there is no such pack.
pack_file() {
  local out="$T/rendered/$1-v$2.json"
  mkdir -p "$T/rendered"
  rm -f "$out"
  if pack_ready "$1" "$2"; then
    hub pack export "$1" --pack-version "$2" --to "$out" --by tests >/dev/null ||
      fail "cannot export pack $1 v$2"
  fi
  echo "$out"
}
# pack_page ENQ VERSION: the printable page, through `mash-hub pack print`.
pack_page() {
  local out="$T/rendered/$1-v$2.html"
  mkdir -p "$T/rendered"
  hub pack print "$1" --pack-version "$2" --stdout --by tests >"$out" || fail "cannot print $1 v$2"
  echo "$out"
}

# sql QUERY: one query on the broker's store.
# (a busy timeout: a read can meet the broker's checkpoint under load)
# console_url: where the mash-ops started last serves, from its start line in
# $T/ops.log. Tests start it on --listen 127.0.0.1:0: the kernel picks a free
# port as it binds, so no other test can take the port in between.
console_url() {
  wait_for 15 "mash-ops serving" grep -q "serving the console on" "$T/ops.log"
  grep "serving the console on" "$T/ops.log" | tail -n 1 |
    sed -E 's|.*serving the console on (https?://127\.0\.0\.1:[0-9]+)/.*|\1|'
}

sql() { sqlite3 -cmd ".timeout 10000" "$T/mashd/mashd.db" "$1"; }

# esclog_caught_up: the escalation log (appended from the store on its own
# thread after commit) holds a line for every stored step. Poll with wait_for.
esclog_caught_up() {
  local f="$T/mashd/escalations.log" n=0
  [ -f "$f" ] && n=$(wc -l <"$f")
  [ "$n" = "$(sql 'SELECT count(*) FROM escalations')" ]
}
