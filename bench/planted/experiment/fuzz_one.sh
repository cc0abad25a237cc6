#!/usr/bin/env bash
# One fuzzing run of one planted bug in one mode, then the reruns of its crash input.
# Usage: fuzz_one.sh <bug> <target-binary> <mode> <seed> <budget-s> <expect> <reruns> <workdir>
#                    [<seed-corpus-dir>]
# Like `racefuzz fuzz`, the run starts from the target's checked-in seeds (read only: new inputs go
# to a fresh corpus directory) when a seed directory is given.
# Prints one CSV row: bug,mode,seed,found,seconds,execs,reruns,reproduced,same_summary,summary
# found=1 when the run stopped with a report containing <expect>; seconds is the wall time of the
# fuzzing process (startup included); execs is libFuzzer's executed-units count at the report.
set -u
bug=$1 bin=$2 mode=$3 seed=$4 budget=$5 expect=$6 reruns=$7 work=$8 seeds=${9:-}
dir=$work/$bug/$mode/seed-$seed
rm -rf "$dir" && mkdir -p "$dir/corpus"
corpora=("$dir/corpus")
[[ -n $seeds && -d $seeds ]] && corpora+=("$seeds")
export RACEFUZZ_MODE=$mode
# atexit_sleep_ms=0: no 1 s TSan pause at exit (it would count as time to detect).
export TSAN_OPTIONS="halt_on_error=1:atexit_sleep_ms=0:${TSAN_OPTIONS:-}"
start=$(date +%s.%N)
"$bin" -seed="$seed" -max_total_time="$budget" -print_final_stats=1 -artifact_prefix="$dir/" \
  -timeout=10 "${corpora[@]}" >"$dir/fuzz.log" 2>&1 </dev/null
end=$(date +%s.%N)
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
execs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$dir/fuzz.log" | grep -o '[0-9]*$')
summary=$(grep -m1 '^SUMMARY: ' "$dir/fuzz.log" | sed -E 's/0x[0-9a-f]+//g; s/\(BuildId: [0-9a-f]+\)//; s/[",]/ /g')
artifact=$(ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* 2>/dev/null | head -1)
found=0
if [[ -n $artifact ]] && grep -qF -- "$expect" "$dir/fuzz.log"; then found=1; fi
reproduced=0 same=0 tried=0
if [[ $found == 1 ]]; then
  for ((i = 0; i < reruns; i++)); do
    tried=$((tried + 1))
    "$bin" "$artifact" >"$dir/rerun.log" 2>&1 </dev/null
    if [[ $? != 0 ]] && grep -qF -- "$expect" "$dir/rerun.log"; then
      reproduced=$((reproduced + 1))
      s=$(grep -m1 '^SUMMARY: ' "$dir/rerun.log" | sed -E 's/0x[0-9a-f]+//g; s/\(BuildId: [0-9a-f]+\)//; s/[",]/ /g')
      [[ $s == "$summary" ]] && same=$((same + 1))
    fi
  done
fi
[[ $found == 1 ]] || seconds=""
echo "$bug,$mode,$seed,$found,$seconds,${execs:-},$tried,$reproduced,$same,\"$summary\""
