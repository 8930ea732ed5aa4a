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
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # A few seconds for a clean stop; then whatever is left (a worker in warm
  # shutdown waiting on a task) is killed. Nothing is lost: tasks are acknowledged
  # late and every piece of work is recorded in the database before it is queued.
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# The demo's X account talks to a local fake X API, never to x.com.
X_PORT=${X_PORT:-8765}
export X_API_BASE_URL=${X_API_BASE_URL:-http://127.0.0.1:$X_PORT}
$PY manage.py fake_x_server --port "$X_PORT" &
pids+=($!)
# And its Facebook Page and Instagram account reply through a local fake Graph API.
GRAPH_PORT=${GRAPH_PORT:-8767}
export META_GRAPH_BASE_URL=${META_GRAPH_BASE_URL:-http://127.0.0.1:$GRAPH_PORT}
$PY manage.py fake_graph_server --port "$GRAPH_PORT" &
pids+=($!)
# Its WhatsApp number is on the same fake Graph API; its e-mail inbox on a fake IMAP server and SMTP sink.
export DEMO_IMAP_PORT=${DEMO_IMAP_PORT:-8143} DEMO_SMTP_PORT=${DEMO_SMTP_PORT:-8025}
$PY manage.py fake_mail_server --imap-port "$DEMO_IMAP_PORT" --smtp-port "$DEMO_SMTP_PORT" &
pids+=($!)
# Its Google Business Profile reviews and YouTube channel are on a local fake Google.
GOOGLE_PORT=${GOOGLE_PORT:-8781}
export GOOGLE_API_BASE_URL=${GOOGLE_API_BASE_URL:-http://127.0.0.1:$GOOGLE_PORT}
$PY manage.py fake_google_server --port "$GOOGLE_PORT" &
pids+=($!)
# Listening reads a blog and a forum from a local fake feed server.
export DEMO_FEEDS_PORT=${DEMO_FEEDS_PORT:-8779}
$PY manage.py fake_feed_server --port "$DEMO_FEEDS_PORT" &
pids+=($!)
.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 --without-gossip --without-mingle &
pids+=($!)
.venv/bin/celery -A config beat --loglevel=INFO &
pids+=($!)
# The web process is ASGI, as in production (config/asgi.py): /live/ streams changes to open pages.
.venv/bin/uvicorn config.asgi:application --host "$HOST" --port "$PORT" --timeout-graceful-shutdown 2 &
pids+=($!)

echo
echo "Mostrador: http://$HOST:$PORT/  (log in as gestor1 / demo; Ctrl-C stops web, worker and beat)"
echo
wait -n
