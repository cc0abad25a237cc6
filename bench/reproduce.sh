#!/usr/bin/env bash
# Regenerates every figure of bench/results/ and docs/results.md: the planted-bug detection
# experiment, the exec/s of every fuzzer in every build and mode, and the engine benchmark.
#
#   bench/reproduce.sh [-n RUNS] [-t BUDGET_S] [-b BUGS] [-m MODES] [-r RERUNS] [-j JOBS]
#                      [-e EXECS_S] [-s STAGES] [-o OUT] [-w WORK]
#
#   -n RUNS      independent fuzzing runs per bug and mode (-seed=1..RUNS)      default 10
#   -t BUDGET_S  -max_total_time of each run                                   default 60
#   -b BUGS      comma-separated planted bugs (bench/planted/bugs.tsv)          default all
#   -m MODES     comma-separated: deterministic,threads,naive                  default all three
#   -r RERUNS    reruns of each saved crash input                               default 20
#   -j JOBS      fuzzing processes at a time (the machine has 2 cores)          default 1
#   -e EXECS_S   seconds per exec/s measurement (0 skips that stage)            default 20
#   -s STAGES    comma-separated: build,detect,execs,engine,report              default all
#   -o OUT       results folder                                                 default bench/results
#   -w WORK      builds, logs and crash files                                   default build/experiment
#   -E           start every fuzzing run from an empty corpus, not the target's seeds
#                (default: the seeds, as `racefuzz fuzz` does)
#   RACEFUZZ_SRC=<dir> builds from another source tree (e.g. a `git archive` of a commit).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
src=${RACEFUZZ_SRC:-$repo}
runs=10 budget=60 bugs=all modes=deterministic,threads,naive reruns=20 jobs=1 execs_s=20
stages=build,detect,execs,engine,report out=$repo/bench/results work=$repo/build/experiment
use_seeds=1
while getopts "n:t:b:m:r:j:e:s:o:w:Eh" opt; do
  case $opt in
    n) runs=$OPTARG ;; t) budget=$OPTARG ;; b) bugs=$OPTARG ;; m) modes=$OPTARG ;;
    r) reruns=$OPTARG ;; j) jobs=$OPTARG ;; e) execs_s=$OPTARG ;; s) stages=$OPTARG ;;
    o) out=$OPTARG ;; w) work=$OPTARG ;; E) use_seeds=0 ;;
    *) sed -n '2,22p' "$0"; exit 2 ;;
  esac
done
has_stage() { [[ ",$stages," == *",$1,"* ]]; }
manifest=$src/bench/planted/bugs.tsv
tools=$src/bench/planted/experiment
mkdir -p "$out" "$work"
out=$(cd "$out" && pwd) work=$(cd "$work" && pwd)
if [[ $bugs == all ]]; then bugs=$(grep -v '^#' "$manifest" | cut -f1 | paste -sd,); fi
IFS=, read -ra bug_list <<<"$bugs"
IFS=, read -ra mode_list <<<"$modes"

field() { awk -F'\t' -v b="$1" -v c="$2" '$1 == b { print $c }' "$manifest"; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# One build tree per (bug, sanitizer), plus one clean tree per sanitizer.
configure_build() {  # <dir> <preset> <bug or ""> <targets...>
  local dir=$1 preset=$2 bug=$3
  shift 3
  mkdir -p "$(dirname "$dir")"
  # ci/configure.py: the preset, checked against the cache (a no-op when it matches).
  python3 "$src/ci/configure.py" "$preset" -B "$dir" -DRACEFUZZ_BUILD_TESTS=OFF \
    -DRACEFUZZ_PLANTED_BUG="$bug" >"$dir.configure.log" 2>&1 ||
    { log "configure failed: $dir.configure.log"; return 1; }
  cmake --build "$dir" -j2 --target "$@" >"$dir.build.log" 2>&1 ||
    { log "build failed: $dir.build.log"; return 1; }
}

if has_stage build; then
  for bug in "${bug_list[@]}"; do
    log "build $bug ($(field "$bug" 3))"
    configure_build "$work/builds/$bug-$(field "$bug" 3)" "$(field "$bug" 3)" "$bug" \
      "$(field "$bug" 2)" || log "skipping $bug: its build failed (does $(field "$bug" 2) exist yet?)"
  done
fi
# The clean builds (every fuzzer, engine_bench), for the exec/s and engine stages.
if has_stage execs || has_stage engine; then
  for san in tsan asan; do
    log "build clean $san"
    configure_build "$work/builds/clean-$san" "$san" "" all || log "clean $san build failed"
  done
fi

if has_stage detect; then
  csv=$out/detection.csv
  echo "bug,mode,seed,found,seconds,execs,reruns,reproduced,same_summary,summary" >"$csv"
  jobs_file=$work/detect.jobs
  : >"$jobs_file"
  for bug in "${bug_list[@]}"; do
    bin=$work/builds/$bug-$(field "$bug" 3)/bench/planted/$(field "$bug" 2)
    [[ -x $bin ]] || bin=$(find "$work/builds/$bug-$(field "$bug" 3)" -type f -name "$(field "$bug" 2)" \
      -perm -u+x 2>/dev/null | head -1)
    if [[ -z $bin ]]; then
      log "skipping $bug: no $(field "$bug" 2) binary"
      continue
    fi
    for mode in "${mode_list[@]}"; do
      # Engine bugs planted in the deterministic lock model do not exist in the other modes.
      if [[ $mode != deterministic && $(field "$bug" 5) == *"deterministic mode"* ]]; then
        continue
      fi
      for ((seed = 1; seed <= runs; seed++)); do
        # A memory-order bug runs in the memory model that finds it (bugs.tsv column 6).
        printf '%q ' env "RACEFUZZ_MEMORY=$(field "$bug" 6 | grep -x weak || echo sc)" \
          "$tools/fuzz_one.sh" "$bug" "$bin" "$mode" "$seed" "$budget" \
          "$(field "$bug" 4)" "$reruns" "$work/runs" \
          "$([[ $use_seeds == 1 ]] && echo "$src/corpora/$(field "$bug" 2)/seeds")" >>"$jobs_file"
        echo >>"$jobs_file"
      done
    done
  done
  log "detect: $(wc -l <"$jobs_file") runs, $jobs at a time, budget ${budget}s each"
  xargs -d '\n' -P "$jobs" -I{} bash -c '{}' <"$jobs_file" >>"$csv"
fi

if has_stage execs && [[ $execs_s != 0 ]]; then
  csv=$out/execs.csv
  echo "fuzzer,build,mode,execs,seconds,execs_per_sec,status" >"$csv"
  for san in tsan asan; do
    for bin in $(find "$work/builds/clean-$san/fuzzers" "$work/builds/clean-$san/bench/planted" \
      -maxdepth 1 -type f -perm -u+x 2>/dev/null | sort); do
      for mode in deterministic threads naive sequential; do
        log "execs $(basename "$bin") $san $mode"
        "$tools/execs_one.sh" "$bin" "$san" "$mode" "$execs_s" "$work" >>"$csv"
      done
    done
  done
fi

if has_stage engine; then
  for san in tsan asan; do
    log "engine benchmark ($san)"
    "$work/builds/clean-$san/bench/engine/engine_bench" --benchmark_min_time=1 \
      --benchmark_out="$out/engine_$san.json" --benchmark_out_format=json \
      --benchmark_color=false >"$out/engine_$san.txt" 2>&1
  done
fi

if has_stage report; then
  log "report"
  python3 "$tools/summarize.py" --manifest "$manifest" --out "$out" --runs "$runs" \
    --budget "$budget" --reruns "$reruns"
  (cd "$out" && gnuplot "$tools/plots.gnuplot")
  log "wrote $out/results.md and $out/*.png"
fi
