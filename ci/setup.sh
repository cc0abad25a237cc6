#!/usr/bin/env bash
# Installs everything racefuzz needs on Debian 12 (the packages in ci/packages.txt). Idempotent, and
# quick when all is there: it only calls apt-get when a package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' ci/packages.txt)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "racefuzz setup: all ${#wanted[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "racefuzz setup: run as root, or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "racefuzz setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "racefuzz setup: done"
