#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: builds racefuzz's fuzz targets with the compiler and flags
# the environment gives ($CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE) and puts into $OUT, for each
# target: the fuzzer, <target>_seed_corpus.zip (seeds + regression inputs), <target>.dict and
# <target>.options. Also runs outside Docker with those variables set (docs/cli.md shows how).
set -euo pipefail  # also when run as `bash build.sh`
SRC="${SRC:?}" OUT="${OUT:?}" WORK="${WORK:?}"
# The checkout: the current directory (the image's WORKDIR), else the one this script is in, else
# $SRC/racefuzz.
for repo in "$PWD" "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" "$SRC/racefuzz"; do
  [[ -f "$repo/fuzzers/manifest.json" ]] && break
done
cd "$repo"

# CFLite's sanitizer -> racefuzz's build. Both ASan and UBSan are always on in the asan build.
case "${SANITIZER:-address}" in
  address | undefined) flavor=asan ;;
  coverage) flavor=coverage ;;
  *)
    echo "racefuzz: SANITIZER=$SANITIZER is not supported: ClusterFuzzLite runs the ASan+UBSan" \
      "build (address) and coverage; ThreadSanitizer runs in the nightly workflow" >&2
    exit 1
    ;;
esac
if [[ "${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}" != "-fsanitize=fuzzer" ]]; then
  echo "racefuzz: LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE: racefuzz links libFuzzer itself" \
    "(-fsanitize=fuzzer); other engines are not supported" >&2
  exit 1
fi

# Dependencies from source when the image provides them ($SRC/abseil-cpp, $SRC/boost), built with
# the same compiler and flags; otherwise the system's (Debian: ci/setup.sh).
deps="$WORK/deps"
cmake_common=(-G Ninja -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX"
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" -DCMAKE_BUILD_TYPE=RelWithDebInfo
  -DCMAKE_PREFIX_PATH="$deps" -DCMAKE_INSTALL_PREFIX="$deps")
if [[ -d "$SRC/abseil-cpp" && ! -f "$deps/.absl" ]]; then
  cmake -S "$SRC/abseil-cpp" -B "$WORK/absl" "${cmake_common[@]}" -DCMAKE_CXX_STANDARD=20 \
    -DABSL_PROPAGATE_CXX_STD=ON -DBUILD_TESTING=OFF
  cmake --build "$WORK/absl" --target install -j"${RACEFUZZ_BUILD_JOBS:-$(nproc)}"
  touch "$deps/.absl"
fi
if [[ -d "$SRC/boost" && ! -f "$deps/.boost" ]]; then
  cmake -S "$SRC/boost" -B "$WORK/boost" "${cmake_common[@]}" -DBOOST_INCLUDE_LIBRARIES=context \
    -DBUILD_SHARED_LIBS=OFF
  cmake --build "$WORK/boost" --target install -j"${RACEFUZZ_BUILD_JOBS:-$(nproc)}"
  touch "$deps/.boost"
fi

# The targets campaigns run (fuzzers/manifest.json: present in the tree, not on-request only).
mapfile -t targets < <(python3 - <<'PY'
import json, os
for t in json.load(open("fuzzers/manifest.json"))["targets"]:
    if t.get("campaign", True) and os.path.exists(t.get("source", f"fuzzers/{t['name']}.cc")):
        print(t["name"])
PY
)
build="$WORK/build-$flavor"
cmake -S . -B "$build" "${cmake_common[@]}" -DRACEFUZZ_SANITIZER="$flavor" \
  -DRACEFUZZ_BUILD_TESTS=OFF -DRACEFUZZ_BUILD_BENCH=OFF
cmake --build "$build" -j"${RACEFUZZ_BUILD_JOBS:-$(nproc)}" --target "${targets[@]}"

for t in "${targets[@]}"; do
  cp "$build/fuzzers/$t" "$OUT/$t"
  rm -f "$OUT/${t}_seed_corpus.zip"
  inputs=()
  for d in seeds regression; do
    [[ -d "corpora/$t/$d" ]] && inputs+=("corpora/$t/$d")
  done
  if ((${#inputs[@]})); then
    # -j: flat names; two inputs with one name in seeds/ and regression/ would collide, so zip each
    # file under <dir>-<name>.
    tmp="$(mktemp -d)"
    for d in "${inputs[@]}"; do
      for f in "$d"/*; do [[ -f "$f" ]] && cp "$f" "$tmp/$(basename "$d")-$(basename "$f")"; done
    done
    (cd "$tmp" && zip -q -r "$OUT/${t}_seed_corpus.zip" .) || true
    rm -rf "$tmp"
  fi
  dicts=(corpora/"$t"/*.dict)
  if [[ -f "${dicts[0]}" ]]; then cat "${dicts[@]}" >"$OUT/$t.dict"; fi
  {
    echo "[libfuzzer]"
    if [[ -f "$OUT/$t.dict" ]]; then echo "dict = $t.dict"; fi
    # The compiled-in defaults, spelled out for ClusterFuzzLite's own runs (sanitizers/*.options).
    echo "[asan]"
    grep -v '^#' sanitizers/asan.options | sed 's/=/ = /'
    echo "[ubsan]"
    grep -v '^#' sanitizers/ubsan.options | sed 's/=/ = /'
  } >"$OUT/$t.options"
  echo "racefuzz: built $OUT/$t"
done
