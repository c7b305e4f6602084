#!/usr/bin/env bash
# No Docker engine runs in CI, so docker/ is checked statically: every path the
# Dockerfile copies exists, every program it installs is built, and every
# program the compose file runs is one the image installs.
set -euo pipefail
B=$(cd "$1" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
df="$SRC/docker/Dockerfile"
compose="$SRC/docker/compose.yaml"
fail() { echo "FAIL: $*" >&2; exit 1; }

while read -r src; do
  [ -e "$SRC/$src" ] || fail "Dockerfile copies $src, which does not exist"
done < <(grep -E '^COPY [^-]' "$df" | awk '{print $2}')

# The build stage configures from exactly what it copies: copy the same paths
# into an empty folder and configure there, so a folder CMake needs but the
# Dockerfile forgets fails here rather than in a user's docker build.
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
while read -r src dst; do
  mkdir -p "$ctx/$(dirname "$dst")"
  cp -r "$SRC/$src" "$ctx/$dst"
done < <(grep -E '^COPY [^-]' "$df" | awk '{print $2, $3}' | sed 's# \./$# #; s# \.$# #' |
  awk '{ if ($2 == "" || $2 == "./") print $1, $1; else print $1, $2 }')
cmake -S "$ctx" -B "$ctx/build" >"$ctx/configure.log" 2>&1 ||
  { tail -20 "$ctx/configure.log" >&2; fail "cmake cannot configure from what the Dockerfile copies"; }

installed=$(sed -n '/^COPY --from=build/,/usr\/local\/bin/p' "$df" | grep -o '/src/build/[^ ]*' | sed 's#/src/build/##')
[ -n "$installed" ] || fail "the runtime stage installs no program"
for p in $installed; do
  [ -x "$B/$p" ] || fail "Dockerfile installs $p, which the build does not produce"
done
for prog in $(grep -o 'command: \["[a-z-]*"' "$compose" | sed 's/.*\["//; s/"//'); do
  grep -q "/$prog\$" <<<"$installed" || fail "compose runs $prog, which the image does not install"
done
# The console: in the compose file, and healthy only while /healthz answers.
grep -q '"mash-ops", "run"' "$compose" || fail "compose does not run mash-ops"
grep -q '^HEALTHCHECK .*' "$df" || fail "the Dockerfile has no HEALTHCHECK"
grep -q '"mash-ops", "check"' <<<"$(sed -n '/^HEALTHCHECK/,/CMD/p' "$df")" ||
  fail "the HEALTHCHECK does not ask mash-ops check (/healthz)"
[ -f "$SRC/docker/systemd/mash-ops.service" ] || fail "no systemd unit for mash-ops"

# systemd units: hardened, keys only through LoadCredential, and valid for
# systemd itself (verified against the programs of this build).
units="$SRC/docker/systemd"
for u in "$units"/*.service; do
  for want in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes LoadCredential= \
    'CREDENTIALS_DIRECTORY'; do
    grep -q "$want" "$u" || fail "$(basename "$u") lacks $want"
  done
done
if command -v systemd-analyze >/dev/null; then
  ud="$ctx/units"
  mkdir -p "$ud"
  for u in "$units"/*.service; do
    sed -e "s#/usr/local/bin/mashd#$B/broker/mashd#" \
      -e "s#/usr/local/bin/mash-hub#$B/agents/mash-hub#" \
      -e "s#/usr/local/bin/mash-agency#$B/agents/mash-agency#" \
      -e "s#/usr/local/bin/mash-ops#$B/ops/mash-ops#" "$u" >"$ud/$(basename "$u")"
  done
  cp "$ud/mash-agency@.service" "$ud/mash-agency@police.service"
  (cd "$ud" && systemd-analyze verify ./*[a-z].service) >"$ctx/verify.log" 2>&1 ||
    { cat "$ctx/verify.log" >&2; fail "systemd-analyze verify refuses a unit"; }
  [ ! -s "$ctx/verify.log" ] || { cat "$ctx/verify.log" >&2; fail "systemd-analyze verify warns"; }
else
  echo "systemd-analyze not installed: units checked for hardening only"
fi
echo "docker static checks: ok"
