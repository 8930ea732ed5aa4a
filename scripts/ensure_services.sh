#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 (5432, 6379): start them
# when installed but stopped, install them with apt on Debian when missing.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  if ! have apt-get; then
    echo "error: $* missing and this is not a Debian-like system; install them and re-run." >&2
    exit 1
  fi
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "$@"
}

pg_up() { have pg_isready && pg_isready -h 127.0.0.1 -p 5432 -q; }
redis_up() { have redis-cli && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "Installing PostgreSQL…"
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  # Trust local TCP connections, as the test suite and the benchmarks expect.
  hba=/etc/postgresql/$version/main/pg_hba.conf
  if ! grep -q "mostrador-trust" "$hba"; then
    printf '# mostrador-trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' | as_root tee -a "$hba" >/dev/null
  fi
  echo "Starting PostgreSQL $version…"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "error: PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }

if ! redis_up; then
  if ! have redis-server; then
    echo "Installing Redis…"
    apt_install redis-server
  fi
  echo "Starting Redis…"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
fi
redis_up || { echo "error: Redis does not answer on 127.0.0.1:6379" >&2; exit 1; }

echo "PostgreSQL and Redis answer."
