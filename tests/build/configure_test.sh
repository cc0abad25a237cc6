#!/usr/bin/env bash
# The build is the build asked for (docs/design.md, "The build is the build asked for"). In a
# scratch build directory configured with another compiler path than the preset's (what happens
# when two entry points resolve a bare compiler name through different PATHs):
#  1. a plain `cmake --preset` must not produce a build without the preset's variables: CMake then
#     deletes the cache and re-runs the configure without them, and configure must stop;
#  2. ci/configure.py must notice the difference, configure fresh, and leave exactly the preset's
#     sanitizer, build type and compiler in the cache;
#  3. ci/configure.py must then be a no-op (nothing re-run when the cache is what is asked for).
# Uses the `tsan` preset without tests and benchmarks (a configure only: nothing is built).
#
#   configure_test.sh <source-dir>
set -euo pipefail
src=$(cd "${1:?usage: configure_test.sh <source-dir>}" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dir=$scratch/tsan
opts=(-DRACEFUZZ_BUILD_TESTS=OFF -DRACEFUZZ_BUILD_BENCH=OFF)
cached() { sed -n "s/^$1:[A-Z]*=//p" "$dir/CMakeCache.txt"; }
fail() {
  echo "FAIL: $*"
  exit 1
}
want_cxx=$(python3 "$src/ci/configure.py" tsan --print CMAKE_CXX_COMPILER)
want_type=$(python3 "$src/ci/configure.py" tsan --print CMAKE_BUILD_TYPE)

# The cache an earlier entry point left: the same clang, reached by another path.
(cd "$src" && cmake --preset tsan -B "$dir" "${opts[@]}" -DCMAKE_C_COMPILER=/usr/bin/clang-19 \
  -DCMAKE_CXX_COMPILER=/usr/bin/clang++-19 >/dev/null)
[[ $(cached RACEFUZZ_SANITIZER) == tsan ]] || fail "setup: the scratch build is not a tsan build"

# 1. Plain cmake over it: the preset's compiler path differs, CMake drops the cache.
if (cd "$src" && cmake --preset tsan -B "$dir" "${opts[@]}" >"$scratch/plain.log" 2>&1); then
  [[ $(cached RACEFUZZ_SANITIZER) == tsan && $(cached CMAKE_BUILD_TYPE) == "$want_type" ]] ||
    fail "plain cmake --preset tsan gave RACEFUZZ_SANITIZER=$(cached RACEFUZZ_SANITIZER)" \
      "CMAKE_BUILD_TYPE=$(cached CMAKE_BUILD_TYPE) and exited 0: a 'tsan' build without TSan"
else
  grep -qE "(RACEFUZZ_SANITIZER|CMAKE_BUILD_TYPE) is not set" "$scratch/plain.log" ||
    fail "plain cmake failed without saying why:"$'\n'"$(cat "$scratch/plain.log")"
  echo "ok: plain cmake --preset over another compiler's cache stops: $(grep -oE "[A-Z_]+ is not set" "$scratch/plain.log" | head -1)"
fi

# 2. ci/configure.py over the same kind of cache.
(cd "$src" && cmake --preset tsan -B "$dir" --fresh "${opts[@]}" -DCMAKE_C_COMPILER=/usr/bin/clang-19 \
  -DCMAKE_CXX_COMPILER=/usr/bin/clang++-19 >/dev/null)
python3 "$src/ci/configure.py" tsan -B "$dir" "${opts[@]}" >"$scratch/configure.log" 2>&1 ||
  fail "ci/configure.py failed:"$'\n'"$(cat "$scratch/configure.log")"
grep -q "configured another way" "$scratch/configure.log" ||
  fail "ci/configure.py did not notice the other compiler"
[[ $(cached RACEFUZZ_SANITIZER) == tsan ]] || fail "after ci/configure.py: RACEFUZZ_SANITIZER=$(cached RACEFUZZ_SANITIZER)"
[[ $(cached CMAKE_BUILD_TYPE) == "$want_type" ]] || fail "after ci/configure.py: CMAKE_BUILD_TYPE=$(cached CMAKE_BUILD_TYPE)"
[[ $(cached CMAKE_CXX_COMPILER) == "$want_cxx" ]] || fail "after ci/configure.py: CMAKE_CXX_COMPILER=$(cached CMAKE_CXX_COMPILER)"
echo "ok: ci/configure.py configured fresh: tsan, $want_type, $want_cxx"

# 3. Now a no-op.
python3 "$src/ci/configure.py" tsan -B "$dir" "${opts[@]}" >"$scratch/again.log" 2>&1
[[ ! -s $scratch/again.log ]] || fail "ci/configure.py re-ran over a matching cache:"$'\n'"$(cat "$scratch/again.log")"
echo "ok: ci/configure.py over a matching cache does nothing"
