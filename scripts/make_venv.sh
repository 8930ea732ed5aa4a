#!/usr/bin/env bash
# Create the virtualenv in .venv with python3's venv module. Debian ships that
# module apart (python3-venv): as root on Debian it is installed, elsewhere the
# message says what to install.
set -euo pipefail
PYTHON=${1:-python3}
VENV=${2:-.venv}

if "$PYTHON" -m venv "$VENV" 2>/tmp/mostrador-venv.err; then
  exit 0
fi
rm -rf "$VENV"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "python3 -m venv failed; installing Debian's python3-venv…"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
  exec "$PYTHON" -m venv "$VENV"
fi
cat /tmp/mostrador-venv.err >&2
echo "error: '$PYTHON -m venv' failed. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
exit 1
