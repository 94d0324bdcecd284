#!/usr/bin/env bash
# Installs what the browser tests drive: Debian's Chromium (apt), playwright-core (npm, which
# drives it over the DevTools protocol; it downloads no browser of its own) and axe-core (npm,
# the accessibility checker the tests run inside the pages).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
  echo "install-browser: installing Debian's chromium" >&2
  sudo_=""
  [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f tests/browser/node_modules/playwright-core/package.json ] ||
  [ ! -f tests/browser/node_modules/axe-core/package.json ]; then
  echo "install-browser: installing playwright-core and axe-core (npm ci)" >&2
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi
