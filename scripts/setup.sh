#!/usr/bin/env bash
# Sets up a fresh clone: the Debian packages in scripts/apt-packages.txt, uv, and the locked virtualenv
# (.venv, with the `nianbao` command at .venv/bin/nianbao). Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(grep -vE '^\s*(#|$)' scripts/apt-packages.txt)
missing=()
for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "setup: installing uv" >&2
    python3 -m pip install --quiet --disable-pip-version-check "uv>=0.5"
fi
# --frozen: exactly the versions in uv.lock, never a silent re-resolve; --all-extras: OCR included (tested).
python3 -m uv sync --frozen --all-extras --quiet
