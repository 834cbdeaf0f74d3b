#!/usr/bin/env bash
# Install everything idstream needs on the machine, idempotently:
# Debian packages listed in scripts/apt-packages.txt, then every
# scripts/install-*.sh other than this one (Kafka jars, object store, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(grep -vE '^\s*(#|$)' scripts/apt-packages.txt)
missing=()
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "install-system: apt-get install ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for script in scripts/install-*.sh; do
    [ "$script" = "scripts/install-system.sh" ] && continue
    bash "$script"
done
