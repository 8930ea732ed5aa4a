#!/usr/bin/env bash
# Run web, Celery worker and Celery beat together in the foreground; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 &
pids+=($!)
.venv/bin/celery -A config beat --loglevel=INFO &
pids+=($!)
$PY manage.py runserver "$HOST:$PORT" &
pids+=($!)

echo
echo "Mostrador: http://$HOST:$PORT/  (log in as gestor1 / demo; Ctrl-C stops web, worker and beat)"
echo
wait -n
