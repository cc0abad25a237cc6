#!/usr/bin/env bash
# exec/s of one fuzz target binary (a clean build) in one mode.
# Usage: execs_one.sh <fuzzer-binary> <build> <mode> <seconds> <workdir>
# Prints one CSV row: fuzzer,build,mode,execs,seconds,execs_per_sec,status
set -u
bin=$1 build=$2 mode=$3 secs=$4 work=$5
name=$(basename "$bin")
dir=$work/execs/$build/$name/$mode
rm -rf "$dir" && mkdir -p "$dir"
export RACEFUZZ_MODE=$mode
export TSAN_OPTIONS="halt_on_error=1:atexit_sleep_ms=0:${TSAN_OPTIONS:-}"
"$bin" -seed=1 -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$dir/" >"$dir/fuzz.log" 2>&1 </dev/null
rc=$?
execs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$dir/fuzz.log" | grep -o '[0-9]*$')
rate=$(grep -m1 -o 'stat::average_exec_per_sec: *[0-9]*' "$dir/fuzz.log" | grep -o '[0-9]*$')
status=ok
[[ $rc == 0 ]] || status="report(rc=$rc)"
echo "$name,$build,$mode,${execs:-},$secs,${rate:-},$status"
