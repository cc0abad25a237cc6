#!/usr/bin/env bash
# The test command (README, and CI through .ci/run): sets up, builds the TSan and ASan+UBSan builds
# and runs every test of each: unit tests, canaries (each detected 20 of 20 runs, each clean twin
# silent), corpus and regression replays, determinism and replay round trips.
#
#   bash ci/test.sh [preset...]     default: tsan asan
#
# Each build is configured by ci/configure.py (the preset, then a check of the cache: sanitizer,
# build type, compiler; a build configured another way is configured fresh), and before its tests
# run, its binaries are checked to carry the sanitizer the preset asks for (ci/check_sanitizer.sh):
# a "tsan" build without TSan stops here instead of passing its tests vacuously.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh

presets=("$@")
((${#presets[@]})) || presets=(tsan asan)
jobs=$(nproc)
start=$SECONDS
echo "=== racefuzz: format"
bash ci/format.sh
for preset in "${presets[@]}"; do
  echo "=== racefuzz: build [$preset]"
  python3 ci/configure.py "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  bash ci/check_sanitizer.sh "$preset"
  echo "=== racefuzz: test [$preset]"
  ctest --preset "$preset" -j "$jobs"
done
echo "=== racefuzz: all tests passed (${presets[*]}) in $((SECONDS - start)) s"
