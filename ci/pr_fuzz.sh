#!/usr/bin/env bash
# The pull-request smoke fuzz: every fuzz target, in the build given, for a short time. Fails when
# any target finds a crash (racefuzz fuzz exits 1) or cannot be built.
#
#   bash ci/pr_fuzz.sh tsan|asan [seconds per target, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizer="${1:?usage: ci/pr_fuzz.sh tsan|asan [seconds]}"
seconds="${2:-30}"
status=0
mapfile -t targets < <(./racefuzz list --names)
for target in "${targets[@]}"; do
  echo "=== racefuzz fuzz $target [$sanitizer] ${seconds}s"
  ./racefuzz fuzz "$target" --sanitizer="$sanitizer" --time="${seconds}s" --jobs=1 || status=1
done
exit $status
