#!/bin/sh
# Installs Debian's chromium for the browser tests when it is missing.
# Idempotent: does nothing when /usr/bin/chromium already runs.
# Test tools' own browser downloads are not available here; Debian's package is.
set -eu
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1; then
  echo "install-chromium: $("$CHROMIUM" --version) already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-chromium: chromium is missing and this user cannot install it; run as root: apt-get update && apt-get install -y chromium" >&2
    exit 1
  fi
else SUDO=; fi
echo "install-chromium: chromium missing; running apt-get update (about a minute)..."
$SUDO apt-get update -q
echo "install-chromium: apt-get install -y chromium (a few minutes)..."
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
echo "install-chromium: $("$CHROMIUM" --version) installed"
