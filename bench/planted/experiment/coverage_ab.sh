#!/usr/bin/env bash
# Interleaving coverage side by side: for each libFuzzer seed 1..<runs>, one fuzzing run of <bug>
# without the signal, then one with it (RACEFUZZ_INTERLEAVING_COVERAGE=0|1), on the same binary,
# so both see the same machine load. Runs fuzz_one.sh (deterministic mode, <reruns> reruns of each
# crash) and prints its CSV row with two more columns: coverage (0|1) and the corpus size at the
# end of the run (libFuzzer's last "corp:" count).
# Usage: coverage_ab.sh <bug> <binary> <runs> <budget-s> <expect> <reruns> <workdir> [<seeds-dir>]
set -u
bug=$1 bin=$2 runs=$3 budget=$4 expect=$5 reruns=$6 work=$7 seeds=${8:-}
here=$(cd "$(dirname "$0")" && pwd)
echo "bug,mode,seed,found,seconds,execs,reruns,reproduced,same_summary,summary,coverage,corpus"
for ((seed = 1; seed <= runs; seed++)); do
  for cov in 0 1; do
    row=$(RACEFUZZ_INTERLEAVING_COVERAGE=$cov "$here/fuzz_one.sh" "$bug" "$bin" deterministic \
      "$seed" "$budget" "$expect" "$reruns" "$work/cov$cov" "$seeds")
    log=$work/cov$cov/$bug/deterministic/seed-$seed/fuzz.log
    corpus=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    echo "$row,$cov,${corpus:-0}"
  done
done
