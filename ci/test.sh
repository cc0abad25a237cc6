#!/usr/bin/env bash
# The test command (README, and CI through .ci/run): sets up, builds the TSan and ASan+UBSan builds
# and runs every test of each: unit tests, canaries (each detected 20 of 20 runs, each clean twin
# silent), corpus and regression replays, determinism and replay round trips.
#
#   bash ci/test.sh [preset...]     default: tsan asan
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
export PATH="/usr/lib/llvm-19/bin:$PATH"  # llvm-symbolizer for readable reports

presets=("$@")
((${#presets[@]})) || presets=(tsan asan)
jobs=$(nproc)
start=$SECONDS
echo "=== racefuzz: format"
bash ci/format.sh
for preset in "${presets[@]}"; do
  echo "=== racefuzz: build [$preset]"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "=== racefuzz: test [$preset]"
  ctest --preset "$preset" -j "$jobs"
done
echo "=== racefuzz: all tests passed (${presets[*]}) in $((SECONDS - start)) s"
