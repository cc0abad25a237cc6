#!/usr/bin/env bash
# summarize.py reads every line of bugs.tsv (five columns, or six with the memory model) and writes a
# row for every bug it has results for. It once crashed on the sixth column, so the experiment's report
# stage printed nothing.
#   summarize_test.sh <bugs.tsv> <summarize.py>
set -euo pipefail
manifest=$1 summarize=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "bug,mode,seed,found,seconds,execs,reruns,reproduced,same_summary,summary" >"$out/detection.csv"
mapfile -t bugs < <(grep -v '^#' "$manifest" | cut -f1)
for bug in "${bugs[@]}"; do
  echo "$bug,deterministic,1,1,0.5,10,2,2,2,\"SUMMARY: x\"" >>"$out/detection.csv"
done
python3 "$summarize" --manifest "$manifest" --out "$out" --runs 1 --budget 60 --reruns 2
for bug in "${bugs[@]}"; do
  grep -q "^| $bug | .* | deterministic | 1/1 |" "$out/results.md" || { echo "FAIL: no row for $bug"; exit 1; }
done
weak=$(awk -F'\t' '!/^#/ && $6 == "weak"' "$manifest" | wc -l)
[[ $(grep -o 'RACEFUZZ_MEMORY=weak' "$out/results.md" | wc -l) -eq $weak ]] ||
  { echo "FAIL: the $weak weak-memory bugs are not all marked"; exit 1; }
echo "PASS: ${#bugs[@]} bugs summarized ($weak weak-memory)"
