#!/usr/bin/env bash
# run_short.sh FUZZER SEEDS DICT RUNS: the short form of one fuzz target, as
# ctest runs it in CI: RUNS inputs (fixed seed) from the seed corpus and the
# dictionary, under ASan+UBSan with leak checks. New inputs go to a scratch
# folder, never into the seeds in the source tree. Exits non-zero on any crash,
# leak or sanitizer report; the input that failed is left in the build folder
# (crash-*, leak-*, timeout-*) and printed.
set -euo pipefail
fuzzer=$1 seeds=$2 dict=$3 runs=$4
name=$(basename "$fuzzer")
work=$(mktemp -d "${TMPDIR:-/tmp}/mash-$name-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" artifacts
rc=0
"$fuzzer" -runs="$runs" -seed=1 -dict="$dict" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="artifacts/$name-" -print_final_stats=1 "$work/corpus" "$seeds" \
  >"$work/log" 2>&1 || rc=$?
grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|Done [0-9]+ runs)' "$work/log" || true
if [ $rc -ne 0 ]; then
  tail -n 60 "$work/log"
  echo "$name: FAILED (exit $rc); reproduce with: $fuzzer artifacts/$name-*" >&2
  exit 1
fi
