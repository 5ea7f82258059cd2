#!/usr/bin/env bash
# scripts/deps.sh [PACKAGE...] - install what faultsim needs from Debian,
# and the packages named, if missing.  Idempotent: does nothing (and needs
# no network) when all is installed.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libsimgrid-dev libgsl-dev libinih-dev libjansson-dev
	gnuplot-nox parallel git "$@")
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
