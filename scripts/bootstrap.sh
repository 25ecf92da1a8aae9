#!/bin/sh
# Installs the Debian packages mnsim needs to build and test, if any is missing.
# Works on a fresh Debian 12 machine as root (or with sudo).
set -eu

pkgs="gcc make pkg-config meson ninja-build libcmocka-dev libxxhash-dev python3 openmpi-bin libopenmpi-dev"
[ "${MNSIM_BENCH_DEPS:-0}" = 1 ] && pkgs="$pkgs spin valgrind"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "bootstrap: installing$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "bootstrap: need root (or sudo) to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet.
if ! $SUDO apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
	$SUDO apt-get update -qq
	$SUDO apt-get install -y --no-install-recommends $missing
fi
