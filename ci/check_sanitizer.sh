#!/usr/bin/env bash
# Checks that a build's binaries carry the sanitizer its preset asks for, from the binaries
# themselves (their symbols), not from the CMake cache: the runtime's entry point (__tsan_init,
# __asan_init) must be linked into the canary binary and a fuzzer, and the other one must not be.
# (UBSan's handlers cannot tell: TSan's runtime carries them too. The configure-time probe and the
# UBSan canaries stand for it.)
#
#   bash ci/check_sanitizer.sh <preset>
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:?usage: ci/check_sanitizer.sh <preset>}"
sanitizer="$(python3 ci/configure.py "$preset" --print RACEFUZZ_SANITIZER)"
dir="$(python3 ci/configure.py "$preset" --print binaryDir)"
nm="$(dirname "$(python3 ci/configure.py "$preset" --print CMAKE_CXX_COMPILER)")/llvm-nm"  # the toolchain's
case "$sanitizer" in
  tsan) want=(__tsan_init) ;;
  asan) want=(__asan_init) ;;
  *) want=() ;;
esac
status=0
for bin in "$dir/tests/canary_test" "$dir/fuzzers/page_ops"; do
  if [[ ! -x $bin ]]; then
    echo "racefuzz check: $bin is missing (build/$preset not built?)" >&2
    exit 1
  fi
  symbols="$("$nm" "$bin")"
  for symbol in __tsan_init __asan_init; do
    has=0
    grep -qE " $symbol\$" <<<"$symbols" && has=1
    wanted=0
    for w in "${want[@]}"; do [[ $w == "$symbol" ]] && wanted=1; done
    if ((has != wanted)); then
      echo "racefuzz check: build/$preset asks for RACEFUZZ_SANITIZER=$sanitizer, but" \
        "$bin $( ((has)) && echo has || echo lacks) $symbol" >&2
      status=1
    fi
  done
done
((status == 0)) || {
  echo "racefuzz check: build/$preset is not the build its preset asks for; reconfigure it fresh:" \
    "rm -rf $dir && bash ci/test.sh $preset" >&2
  exit 1
}
echo "racefuzz check: build/$preset carries ${want[*]:-no sanitizer} (from the binaries' symbols)"
