#!/usr/bin/env bash
# A fuzz target finds its bug: libFuzzer (fixed seed, at most <runs> inputs, no corpus) must stop on
# a racefuzz report of <kind>, and the crash file it saved must give the same report when replayed
# alone in a fresh process (exact replay). A target that runs out of inputs without the report, or
# whose crash does not replay, fails.
# Usage: finds_bug.sh <fuzz-binary> <kind> [runs]
set -uo pipefail
bin=$1
kind=$2
runs=${3:-200000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$SECONDS
"$bin" -seed=1 -runs="$runs" -artifact_prefix="$work/" >"$work/fuzz.log" 2>&1
rc=$?
if ! grep -q "^SUMMARY: racefuzz: $kind\$" "$work/fuzz.log"; then
  echo "FAIL: $bin did not report $kind in $runs inputs (exit status $rc); last lines:"
  tail -20 "$work/fuzz.log"
  exit 1
fi
crash=$(find "$work" -maxdepth 1 -name 'crash-*' | head -1)
if [[ -z $crash ]]; then
  echo "FAIL: $bin reported $kind but saved no crash file"
  exit 1
fi
execs=$(grep -o '^#[0-9]*' "$work/fuzz.log" | tail -1)
"$bin" "$crash" >"$work/replay.log" 2>&1
if ! grep -q "^SUMMARY: racefuzz: $kind\$" "$work/replay.log"; then
  echo "FAIL: the crash file does not replay to $kind; last lines:"
  tail -20 "$work/replay.log"
  exit 1
fi
echo "$kind found in $((SECONDS - start)) s (last status line ${execs:-#0}); its crash file replays"
