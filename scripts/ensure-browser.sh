#!/usr/bin/env bash
# Make sure the end-to-end tests have what they need; idempotent and quiet when all is there:
# Debian's chromium (apt-get only when /usr/bin/chromium is absent) and axe-core from npm.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "ensure-browser: installing chromium with apt-get" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  echo "ensure-browser: installing axe-core with npm" >&2
  npm ci --no-audit --no-fund --silent
fi
