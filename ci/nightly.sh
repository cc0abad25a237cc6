#!/usr/bin/env bash
# The nightly fuzz campaign (.github/workflows/nightly.yml runs it once per target and build; run it
# locally the same way). Installs what is missing, then `racefuzz campaign`: fork-mode fuzzing, the
# corpus merged back into out/campaign/corpus/, crashes de-duplicated into out/campaign/crashes/,
# the report in out/campaign/report.{html,json}.
#
#   bash ci/nightly.sh [racefuzz campaign flags]      e.g. --time=10m --targets=rcu_ops --sanitizer=tsan
#
# Environment (the workflow sets these): RACEFUZZ_TIME (default 10m), RACEFUZZ_JOBS (default: cores).
# Exit status: 0 nothing new; 3 a crash that ci/known_crashes.txt does not list; 130 interrupted
# (corpus and crashes kept); 2 setup or build error.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
exec ./racefuzz campaign --time="${RACEFUZZ_TIME:-10m}" --jobs="${RACEFUZZ_JOBS:-$(nproc)}" \
  --known=ci/known_crashes.txt "$@"
