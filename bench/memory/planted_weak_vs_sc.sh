#!/usr/bin/env bash
# The memory-order planted bugs (bench/planted/bugs.tsv, memory column "weak"), side by side: each
# fuzzed RUNS times in weak mode (found? how fast? its crash replayed REPLAYS times), then fuzzed
# the same way in SC mode (never found: that is the point of the weak mode).
#
#   bash bench/memory/planted_weak_vs_sc.sh [-n RUNS] [-t SECONDS] [-r REPLAYS] [-N SC_RUNS]
#                                           [-T SC_SECONDS] [-b bug,bug]
#
# Builds each bug with the one planted-bug mechanism (build/planted-<bug>, ci/configure.py).
# Prints one row per bug: bug | weak: found, median seconds, median execs | replay k/REPLAYS | SC:
# found, execs in all.
set -u
runs=10 secs=60 replays=20 sc_runs=10 sc_secs=60 bugs=""
while getopts "n:t:r:N:T:b:" o; do
  case $o in
    n) runs=$OPTARG ;; t) secs=$OPTARG ;; r) replays=$OPTARG ;; N) sc_runs=$OPTARG ;;
    T) sc_secs=$OPTARG ;; b) bugs=$OPTARG ;; *) exit 2 ;;
  esac
done
cd "$(dirname "$0")/../.."
manifest=bench/planted/bugs.tsv
[[ -n $bugs ]] || bugs=$(awk -F'\t' '!/^#/ && $6 == "weak" { print $1 }' "$manifest" | paste -sd,)
field() { awk -F'\t' -v b="$1" -v c="$2" '$1 == b { print $c }' "$manifest"; }
work=$(mktemp -d)
export TSAN_OPTIONS="halt_on_error=1:atexit_sleep_ms=0:${TSAN_OPTIONS:-}" RACEFUZZ_MODE=deterministic
# Fuzzes <bin> once with <memory> and <seed>; prints "found seconds execs artifact".
fuzz() {
  local bin=$1 memory=$2 seed=$3 expect=$4 dir=$work/$5 secs=$6
  mkdir -p "$dir/corpus"
  local start end
  start=$(date +%s.%N)
  RACEFUZZ_MEMORY=$memory "$bin" -seed="$seed" -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="$dir/" -timeout=10 "$dir/corpus" >"$dir/fuzz.log" 2>&1 </dev/null
  end=$(date +%s.%N)
  local execs artifact found=0
  execs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$dir/fuzz.log" | grep -o '[0-9]*$')
  artifact=$(ls "$dir"/crash-* 2>/dev/null | head -1)
  [[ -n $artifact ]] && grep -qF -- "$expect" "$dir/fuzz.log" && found=1
  echo "$found $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') ${execs:-0} ${artifact:-none}"
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
echo "| bug | weak: found | median s | median execs | replay | SC: found | SC execs |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
IFS=, read -ra list <<<"$bugs"
for bug in "${list[@]}"; do
  target=$(field "$bug" 2) san=$(field "$bug" 3) expect=$(field "$bug" 4)
  dir=build/planted-$bug
  python3 ci/configure.py "$san" -B "$dir" -DRACEFUZZ_BUILD_TESTS=OFF -DRACEFUZZ_PLANTED_BUG="$bug" \
    >"$work/$bug.configure.log" 2>&1 && cmake --build "$dir" -j2 --target "$target" \
    >"$work/$bug.build.log" 2>&1 || { echo "| $bug | build failed: $work/$bug.build.log |"; continue; }
  bin=$(find "$dir" -type f -name "$target" -perm -u+x | head -1)
  found=0 times=() execs=() artifact=""
  for ((s = 1; s <= runs; s++)); do
    read -r f t e a < <(fuzz "$bin" weak "$s" "$expect" "$bug/weak-$s" "$secs")
    if [[ $f == 1 ]]; then
      found=$((found + 1)) times+=("$t") execs+=("$e")
      [[ -n $artifact ]] || artifact=$a
    fi
  done
  replayed=0
  if [[ -n $artifact ]]; then
    for ((i = 0; i < replays; i++)); do
      RACEFUZZ_MEMORY=weak "$bin" "$artifact" >"$work/replay.log" 2>&1 </dev/null
      grep -qF -- "$expect" "$work/replay.log" && replayed=$((replayed + 1))
    done
  fi
  sc_found=0 sc_execs=0
  for ((s = 1; s <= sc_runs; s++)); do
    read -r f t e a < <(fuzz "$bin" sc "$s" "$expect" "$bug/sc-$s" "$sc_secs")
    sc_found=$((sc_found + f)) sc_execs=$((sc_execs + e))
  done
  echo "| $bug | $found/$runs | $(printf '%s\n' "${times[@]}" | median) | $(printf '%s\n' "${execs[@]}" | median) | $replayed/$replays | $sc_found/$sc_runs | $sc_execs |"
done
rm -rf "$work"
