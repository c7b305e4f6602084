#!/usr/bin/env bash
# bench/rabbitmq.sh: mash's intake beside RabbitMQ on the same load, in one run.
#
# Starts Debian's rabbitmq-server as a private node for this run only: it
# listens on 127.0.0.1 and an unused port, with its own temporary
# RABBITMQ_MNESIA_BASE, logs, cookie (HOME), an empty plugin list, and its
# own epmd on another unused port bound to 127.0.0.1; everything is stopped
# and removed at the end. Then K clients keep W persistent messages of the
# same size as bench-intake's notification in flight to one quorum queue with
# publisher confirms (bench/rabbitmq_client.py, python3-pika), and, unless
# --no-mash, bench-intake runs the same N/K/W against mashd right after.
#
#   bench/rabbitmq.sh [-n N] [-c K] [-w W] [--payload BYTES] [--build DIR]
#                     [--no-mash] [--install] [--keep]
#   --install   apt-get install rabbitmq-server and python3-pika when missing
#               (not part of scripts/setup: only this benchmark needs them)
#   --build     the build folder holding bench/bench-intake (default build/)
#   --keep      keep the temporary folder (RabbitMQ's logs)
# Prints one line per target and the ratio mash/RabbitMQ. Exit status 0 when
# both stored and confirmed every message.
set -euo pipefail
cd "$(dirname "$0")/.."

py=/usr/bin/python3 # Debian's: it sees python3-pika (a pyenv python3 would not)
n=20000 c=4 w=256 payload=877 build=build mash=1 install=0 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    -n|--count) n=$2; shift 2 ;;
    -c|--clients) c=$2; shift 2 ;;
    -w|--window) w=$2; shift 2 ;;
    --payload) payload=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --no-mash) mash=0; shift ;;
    --install) install=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "rabbitmq.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

need=()
# The package's own scripts, not /usr/sbin's wrappers: those switch to the
# rabbitmq user and its /var/lib/rabbitmq; this node is ours, in $tmp.
rbin=/usr/lib/rabbitmq/bin
[ -x "$rbin/rabbitmq-server" ] || need+=(rabbitmq-server)
"$py" -c 'import pika' 2>/dev/null || need+=(python3-pika)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$install" != 1 ]; then
    echo "rabbitmq.sh: missing ${need[*]}: run with --install (apt-get, as root)" >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "rabbitmq.sh: --install needs root" >&2
    exit 1
  fi
  # The package must not start a system-wide server listening on every
  # interface: Debian's postinst asks invoke-rc.d, which policy-rc.d refuses
  # in containers; we also start ours ourselves and never the service.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ "$mash" = 1 ] && [ ! -x "$build/bench/bench-intake" ]; then
  echo "rabbitmq.sh: $build/bench/bench-intake not built (cmake --build $build --target bench-intake mashd)" >&2
  exit 1
fi

free_port() {
  "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mash-rabbit-XXXXXX")
port=$(free_port)
dist=$(free_port)
epmd_port=$(free_port)
node="mashbench$$@localhost"
export HOME="$tmp/home" RABBITMQ_MNESIA_BASE="$tmp/mnesia" RABBITMQ_LOG_BASE="$tmp/log"
export RABBITMQ_NODENAME="$node" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port"
export RABBITMQ_DIST_PORT="$dist" RABBITMQ_ENABLED_PLUGINS_FILE="$tmp/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$tmp/rabbitmq" RABBITMQ_ADVANCED_CONFIG_FILE="$tmp/advanced.config"
export RABBITMQ_PID_FILE="$tmp/rabbit.pid" ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$epmd_port"
export RABBITMQ_SERVER_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
echo '[].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
cat > "$tmp/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$port
loopback_users = none
log.console = false
log.file.level = warning
CONF

cleanup() {
  "$rbin/rabbitmqctl" -q -n "$node" stop >/dev/null 2>&1 || true
  [ -n "${server_pid:-}" ] && wait "$server_pid" 2>/dev/null || true
  epmd -port "$epmd_port" -kill >/dev/null 2>&1 || true
  if [ "$keep" = 1 ]; then echo "rabbitmq.sh: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

"$rbin/rabbitmq-server" >"$tmp/server.out" 2>&1 &
server_pid=$!
# await_startup fails at once while the Erlang node is not up yet: poll it.
started=0
for _ in $(seq 120); do
  if "$rbin/rabbitmqctl" -q -n "$node" await_startup --timeout 5 >/dev/null 2>&1; then
    started=1
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 1
done
if [ "$started" != 1 ]; then
  echo "rabbitmq.sh: RabbitMQ did not start; its output:" >&2
  tail -20 "$tmp/server.out" >&2
  keep=1
  exit 1
fi
version=$("$rbin/rabbitmqctl" -q -n "$node" version 2>/dev/null || echo "?")

echo "rabbitmq.sh: N=$n clients=$c window=$w payload=$payload B, RabbitMQ $version on 127.0.0.1:$port" \
     "(quorum queue, persistent, publisher confirms); load average $(cut -d' ' -f1-3 /proc/loadavg)"
rc_rabbit=0
rabbit_json=$("$py" bench/rabbitmq_client.py --port "$port" -n "$n" -c "$c" -w "$w" \
              --payload "$payload") || rc_rabbit=$?
# RabbitMQ's own CPU time (the Erlang VM), from /proc: user + system seconds.
# The node writes the Erlang VM's process id to RABBITMQ_PID_FILE.
beam=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || true)
[ -n "$beam" ] || beam=$(pgrep -f -- "beam.smp.*${node%@*}" | head -1 || true)
beam_cpu="?"
if [ -n "$beam" ] && [ -r "/proc/$beam/stat" ]; then
  beam_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/hz}' "/proc/$beam/stat")
fi
echo "$rabbit_json"
echo "rabbitmq server CPU (user+sys, whole run incl. start): ${beam_cpu} s"

rc_mash=0
if [ "$mash" = 1 ]; then
  mash_json=$("$build/bench/bench-intake" -q -n "$n" -c "$c" -w "$w" --json | tail -1) || rc_mash=$?
  echo "$mash_json"
  "$py" - "$rabbit_json" "$mash_json" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); m = json.loads(sys.argv[2])
mm = m.get("mashd", m)
rate = mm.get("msgs_per_s") or mm.get("mashd_msgs_per_s")
print("%-16s %10s %8s %8s" % ("target", "msgs/s", "p50 ms", "p99 ms"))
print("%-16s %10.0f %8.2f %8.2f" % ("rabbitmq-quorum", r["msgs_per_s"], r["p50_ms"], r["p99_ms"]))
if rate:
    print("%-16s %10.0f %8.2f %8.2f" % ("mashd", rate, mm.get("p50_ms", 0), mm.get("p99_ms", 0)))
    print("ratio mashd/rabbitmq: %.2f" % (rate / r["msgs_per_s"]))
PY
fi
[ "$rc_rabbit" = 0 ] && [ "$rc_mash" = 0 ]
