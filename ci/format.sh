#!/usr/bin/env bash
# Checks that every C++ file in the repository is formatted as .clang-format says, with the
# toolchain's clang-format (clang-format-19, installed by ci/setup.sh). `--fix` reformats instead.
#
#   bash ci/format.sh [--fix]
set -euo pipefail
cd "$(dirname "$0")/.."
tool=clang-format-19
command -v "$tool" >/dev/null || { echo "racefuzz format: $tool missing; run: bash ci/setup.sh" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [[ ${1:-} == --fix ]]; then
  "$tool" -i "${files[@]}"
  exit 0
fi
if ! "$tool" --dry-run --Werror "${files[@]}" 2>/tmp/racefuzz-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/racefuzz-format.$$ | sed -E 's/:[0-9]+:[0-9]+: (error|warning):.*//' | sort -u |
    sed 's/^/  /' >&2
  rm -f /tmp/racefuzz-format.$$
  echo "racefuzz format: the files above are not formatted; fix with: bash ci/format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/racefuzz-format.$$
echo "racefuzz format: ${#files[@]} files formatted as .clang-format says ($tool)"
