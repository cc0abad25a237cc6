#!/usr/bin/env bash
# Determinism across inputs: what an input does must not depend on what ran before it in the
# process (libFuzzer runs thousands of inputs per process, and a crash file is replayed alone).
#
# order_independence.sh <fuzz-binary> <corpus-dir>...
#   Every corpus input must give the same trace hash whatever ran before it: runs the inputs in
#   order, then in reverse order, with RACEFUZZ_TRACE=1, and compares each input's hash (libFuzzer
#   may run an input twice: same hash).
# order_independence.sh --reports <fuzz-binary> <reporting-input> <other-input>...
#   The reporting input must give the same report (the sanitizer's or racefuzz's, from its first
#   line to its SUMMARY, addresses and process ids left out) in RACEFUZZ_REPORT_RUNS (20) fresh
#   processes, and after the other inputs ran in the same process, in their order and reversed.
set -euo pipefail

# The report in a run's output, made comparable across processes: from the first report line to
# the first SUMMARY line, without what differs from process to process (addresses, process and OS
# thread ids, TSan's own thread numbers, which count the fibers of earlier inputs, and BuildIds).
report_of() {
  awk '
    !on && /WARNING: ThreadSanitizer:|==[0-9]+==ERROR: / { on = 1 }
    on { print }
    on && /^SUMMARY: / { exit }' |
    sed -E -e 's/0x[0-9a-f]+/0x_/g' -e 's/==[0-9]+==/==_==/g' -e 's/\(pid=[0-9]+\)/(pid=_)/g' \
      -e 's/tid=[0-9]+/tid=_/g' -e 's/\b(thread|Thread) T[0-9]+/\1 T_/g' \
      -e 's/ \(BuildId: [0-9a-f]+\)//g'
}

# Fails unless `input` reports `want` when the given inputs ran before it in the same process.
after() {
  local order=$1
  shift
  local got
  got=$("$bin" "$@" "$input" 2>&1 | report_of || true)
  if [[ $got != "$want" ]]; then
    echo "FAIL: $input gives another report after $# other inputs ($order) than in a fresh process:"
    diff <(echo "$want") <(echo "$got") || true
    exit 1
  fi
}

reports() {
  bin=$1 input=$2
  shift 2
  local runs=${RACEFUZZ_REPORT_RUNS:-20}
  local got
  want=$("$bin" "$input" 2>&1 | report_of || true)
  if [[ -z $want ]]; then
    echo "FAIL: $input gives no report in a fresh process"
    exit 1
  fi
  for ((i = 1; i < runs; i++)); do
    got=$("$bin" "$input" 2>&1 | report_of || true)
    if [[ $got != "$want" ]]; then
      echo "FAIL: $input gives another report in fresh process $((i + 1)) of $runs:"
      diff <(echo "$want") <(echo "$got") || true
      exit 1
    fi
  done
  local reversed=()
  for ((i = $# - 1; i >= 0; i--)); do reversed+=("${@:i+1:1}"); done
  after "forward order" "$@"
  after "reverse order" "${reversed[@]}"
  echo "$input: the same report in $runs fresh processes and after $# other inputs in" \
    "both orders ($(grep -m1 -E 'SUMMARY' <<<"$want"))"
}

if [[ ${1:-} == --reports ]]; then
  shift
  reports "$@"
  exit 0
fi

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
