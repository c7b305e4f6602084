#!/usr/bin/env bash
# tests/check_style.sh finds every offence in tests/style/bad_dialect.c (one
# per "STYLE:" mark) and none in tests/style/good_dialect.c. Exit 77 when
# python3 is missing (as check_style.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 77; }
want=$(grep -c 'STYLE:' tests/style/bad_dialect.c)
out=$(bash tests/check_style.sh tests/style/bad_dialect.c)
rc=$?
got=$(printf '%s\n' "$out" | grep -c '^tests/style/bad_dialect.c:')
if [ "$rc" -ne 1 ] || [ "$got" -ne "$want" ]; then
  printf '%s\n' "$out"
  echo "check_style.sh on bad_dialect.c: exit $rc and $got offences, expected exit 1 and $want"
  exit 1
fi
if ! bash tests/check_style.sh tests/style/good_dialect.c; then
  echo "check_style.sh flagged good_dialect.c"
  exit 1
fi
echo "check_style.sh: $got of $want offences found, good file clean"
