#!/usr/bin/env bash
# Installs Debian's chromium, which the browser tests drive through playwright-core.
# Playwright's own browser download cannot reach its servers here, so the tests use
# /usr/bin/chromium instead. Safe to run again: it does nothing when chromium is there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: /usr/bin/chromium is already installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-chromium: ${sudo:+$sudo }apt-get update"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update
echo "install-chromium: ${sudo:+$sudo }apt-get install -y --no-install-recommends chromium"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
echo "install-chromium: installed $(/usr/bin/chromium --version)"
