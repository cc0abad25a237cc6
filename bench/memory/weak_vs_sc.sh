#!/usr/bin/env bash
# The weak memory model's cost, side by side in one run: exec/s of each fuzz target in SC and in
# weak mode (RACEFUZZ_MEMORY), alternating SC, weak, SC, weak so that machine load hits both alike.
# Also reports whether any weak run stopped with a report (the no-false-positive check, in short).
#
#   bash bench/memory/weak_vs_sc.sh [build-dir] [seconds-per-run] [targets...]
#   bash bench/memory/weak_vs_sc.sh build/tsan 8 page_ops rcu_ops
#
# Prints one CSV row per run: target,memory,round,execs,seconds,execs_per_sec,status; then one
# summary line per target: "target: sc A exec/s, weak B exec/s, sc/weak R".
set -u
build=${1:-build/tsan}
secs=${2:-8}
shift 2 2>/dev/null || shift $#
targets=("$@")
if [[ ${#targets[@]} == 0 ]]; then
  mapfile -t targets < <(python3 -c '
import json
for t in json.load(open("fuzzers/manifest.json"))["targets"]:
    if not t["name"].startswith("planted_") and t.get("campaign", True): print(t["name"])')
fi
work=$(mktemp -d)
export TSAN_OPTIONS="halt_on_error=1:atexit_sleep_ms=0:${TSAN_OPTIONS:-}"
export RACEFUZZ_MODE=deterministic
echo "target,memory,round,execs,seconds,execs_per_sec,status"
declare -A sum
for t in "${targets[@]}"; do
  bin=$(python3 -c '
import json, sys
for t in json.load(open("fuzzers/manifest.json"))["targets"]:
    if t["name"] == sys.argv[1]: print(t.get("binary", "fuzzers/" + t["name"]))' "$t")
  [[ -x $build/$bin ]] || { echo "$t,,,,,,missing $build/$bin"; continue; }
  for round in 1 2; do
    for memory in sc weak; do
      log=$work/$t-$memory-$round.log
      RACEFUZZ_MEMORY=$memory "$build/$bin" -seed=1 -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$work/" >"$log" 2>&1 </dev/null
      rc=$?
      execs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
      rate=$(grep -m1 -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
      status=ok
      [[ $rc == 0 ]] || status="report(rc=$rc): $(grep -m1 '^SUMMARY' "$log")"
      echo "$t,$memory,$round,${execs:-},$secs,${rate:-},$status"
      sum[$t-$memory]=$((${sum[$t-$memory]:-0} + ${rate:-0}))
    done
  done
done
for t in "${targets[@]}"; do
  sc=${sum[$t-sc]:-0} weak=${sum[$t-weak]:-0}
  [[ $weak -gt 0 ]] || continue
  awk -v t="$t" -v s="$sc" -v w="$weak" \
    'BEGIN { printf "%s: sc %d exec/s, weak %d exec/s, sc/weak %.2f\n", t, s / 2, w / 2, s / w }'
done
rm -rf "$work"
