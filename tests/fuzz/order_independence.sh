#!/usr/bin/env bash
# Determinism across inputs: every corpus input of a fuzz target must give the same trace hash
# whatever ran before it in the process (libFuzzer runs thousands of inputs per process, and a
# crash file is replayed alone). Runs the inputs in order, then in reverse order, with
# RACEFUZZ_TRACE=1, and compares each input's hash (libFuzzer may run an input twice: same hash).
# Usage: order_independence.sh <fuzz-binary> <corpus-dir>...
set -euo pipefail
bin=$1
shift
mapfile -t files < <(find "$@" -type f | LC_ALL=C sort)
if ((${#files[@]} < 2)); then
  echo "fewer than 2 inputs: nothing to compare"
  exit 0
fi
reversed=()
for ((i = ${#files[@]} - 1; i >= 0; i--)); do reversed+=("${files[i]}"); done

# Prints "<file> <hash>" for each input, from a run over the given files.
hashes() {
  RACEFUZZ_TRACE=1 "$bin" "$@" 2>&1 | awk '
    /^Running: / { file = $2 }
    /^racefuzz: trace hash / { print file, $4 }' | LC_ALL=C sort -u
}
forward=$(hashes "${files[@]}")
backward=$(hashes "${reversed[@]}")
if [[ -z $forward ]]; then
  echo "no trace hashes printed (is $bin a racefuzz target?)"
  exit 1
fi
if [[ $forward != "$backward" ]]; then
  echo "trace hashes depend on the order of the inputs (state leaks from one input to the next):"
  diff <(echo "$forward") <(echo "$backward") || true
  exit 1
fi
echo "${#files[@]} inputs: same trace hash in both orders"
