#!/usr/bin/env bash
# The browser tests drive Debian's Chromium; Playwright never downloads one.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: /usr/bin/chromium missing and no apt-get: browser tests will be skipped." >&2
  exit 0
fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "Installing Debian's chromium and chromium-driver…"
as_root apt-get update -q
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q chromium chromium-driver
