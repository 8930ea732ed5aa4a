"""End-to-end ingest against a running server on PostgreSQL and Redis.

What it does, printing as it goes:
1. creates a fresh database ``mostrador_bench`` and migrates it;
2. measures PostgreSQL's raw single-row INSERT rate with the same number of
   connections, into a scratch copy of ``inbox_message`` (same columns and
   indexes) — the baseline, on this machine, in this run;
3. starts gunicorn and a Celery worker on that database and a dedicated Redis db;
4. posts N signed contact-form events from C client processes and measures
   messages per second until every one is a Message in the inbox;
5. stops what it started and prints one JSON line: the figures, the target
   (end-to-end ≥ 20% of the raw rate) and whether it was met.

Usage: ``python bench/ingest.py [--events 6000] [--concurrency 4]``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
from _django import process_tree, recreate_database

ROOT = Path(__file__).resolve().parents[1]
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DB = "mostrador_bench"
REDIS_URL = "redis://127.0.0.1:6379/7"
SECRET = "bench-secret"
TARGET_RATIO = 0.20


def say(message: str) -> None:
    print(f"[ingest] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env() -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DB}",
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench-only",
        "DEBUG": "0",
        # Plain HTTP on loopback: no TLS proxy in front to redirect to.
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "MOSTRADOR_VAR_DIR": str(ROOT / "var" / "bench"),
        "PYTHONPATH": str(ROOT),
    }


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env(), check=True, stdout=subprocess.DEVNULL)


# --- Baseline: raw single-row INSERTs -------------------------------------------------------


_FILLER = {
    "text": "''",
    "character varying": "''",
    "integer": "0",
    "smallint": "0",
    "bigint": "1",
    "boolean": "false",
    "jsonb": "'[]'",
    "timestamp with time zone": "now()",
    "uuid": "gen_random_uuid()",
}


def _raw_insert_sql(cur) -> str:
    """A single-row INSERT filling every NOT NULL column of inbox_message (the
    schema grows: the baseline follows it), with a distinct external id and body."""
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'inbox_message' "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO' ORDER BY ordinal_position"
    )
    columns, values = [], []
    for name, data_type in cur.fetchall():
        columns.append(name)
        if name in ("external_id", "body"):
            values.append("%s")
        elif name == "direction":
            values.append("'in'")
        else:
            values.append(_FILLER[data_type])
    for name in ("external_id", "conversation_id", "channel_id", "author_contact_id"):
        if name not in columns:  # nullable, but a real message has them
            columns.append(name)
            values.append("%s" if name == "external_id" else "1")
    return f"INSERT INTO bench_raw_message ({', '.join(columns)}) VALUES ({', '.join(values)})"


def _raw_inserter(rows: int, offset: int, results) -> None:
    conn = psycopg2.connect(dbname=DB, **PG)
    conn.autocommit = True
    with conn.cursor() as cur:
        sql = _raw_insert_sql(cur)
        order = [c for c in sql.split("(", 1)[1].split(")", 1)[0].split(", ") if c in ("external_id", "body")]
        for i in range(offset, offset + rows):
            params = {"external_id": f"raw-{i}", "body": f"Hola, ¿tenéis pan sin gluten? {i}"}
            cur.execute(sql, [params[name] for name in order])
    conn.close()
    results.put(rows)


def raw_insert_rate(rows: int, connections: int) -> float:
    conn = psycopg2.connect(dbname=DB, **PG)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_raw_message")
        cur.execute("CREATE TABLE bench_raw_message (LIKE inbox_message INCLUDING ALL)")
    per = rows // connections
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_raw_inserter, args=(per, n * per, results)) for n in range(connections)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    if any(w.exitcode for w in workers):
        raise RuntimeError("the baseline inserts failed")
    with conn.cursor() as cur:
        cur.execute("DROP TABLE bench_raw_message")
    conn.close()
    return per * connections / elapsed


# --- The load --------------------------------------------------------------------------------


def _client(port: int, key: str, start: int, count: int, results) -> None:
    statuses: dict[int, int] = {}
    # One keep-alive connection per client, as a network's delivery service keeps.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(start, start + count):
        body = json.dumps(
            {
                "external_id": f"bench-{i}",
                "name": f"Cliente {i}",
                "email": f"cliente{i % 2000}@example.com",
                "subject": "Consulta",
                "message": f"¿Abrís el domingo? Pregunta {i}",
            }
        ).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Mostrador-Signature": signature}
        try:
            conn.request("POST", f"/webhooks/web/{key}/", body=body, headers=headers)
            response = conn.getresponse()
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", f"/webhooks/web/{key}/", body=body, headers=headers)
            response = conn.getresponse()
        response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
    conn.close()
    results.put(statuses)


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_tree = process_tree


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each named process tree, and by PostgreSQL."""
    usage = {name: sum(_cpu_of(pid) for pid in _tree(root)) for name, root in roots.items()}
    postgres = 0.0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                postgres += _cpu_of(int(comm.parent.name))
        except OSError:
            continue
    usage["postgres"] = postgres
    return usage


def count_messages() -> int:
    conn = psycopg2.connect(dbname=DB, **PG)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM inbox_message WHERE direction = 'in'")
        (n,) = cur.fetchone()
    conn.close()
    return n


def wait_healthy(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not become healthy")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--raw-rows", type=int, default=8000)
    args = parser.parse_args()

    say(f"fresh database {DB}, migrating")
    recreate_database(DB)
    manage("migrate", "--noinput")
    subprocess.run(["redis-cli", "-n", REDIS_URL.rsplit("/", 1)[1], "flushdb"], check=True, stdout=subprocess.DEVNULL)

    say(f"baseline: {args.raw_rows} single-row INSERTs over {args.concurrency} connections")
    raw_rate = raw_insert_rate(args.raw_rows, args.concurrency)
    say(f"baseline: {raw_rate:,.0f} rows/s")

    code = (
        "from channels.models import Channel;"
        f"Channel.objects.update_or_create(key='bench-web', defaults=dict(kind='web', name='Bench',"
        f" credentials={{'secret': '{SECRET}'}}))"
    )
    manage("shell", "-c", code)
    manage("collectstatic", "--noinput")

    port = free_port()
    processes: list[subprocess.Popen] = []

    def stop_all(*_args) -> None:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()

    signal.signal(signal.SIGINT, lambda *a: (stop_all(), sys.exit(130)))
    try:
        say(f"starting gunicorn on 127.0.0.1:{port} and a Celery worker")
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "3",
                    "--worker-class",
                    "gthread",
                    "--threads",
                    "4",
                    "--keep-alive",
                    "10",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env(),
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "WARNING",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_healthy(port)
        time.sleep(2)  # let the worker connect

        say(f"posting {args.events} signed events with {args.concurrency} clients")
        results = multiprocessing.Queue()
        per = args.events // args.concurrency
        clients = [
            multiprocessing.Process(target=_client, args=(port, "bench-web", n * per, per, results))
            for n in range(args.concurrency)
        ]
        total = per * args.concurrency
        roots = {"gunicorn": processes[0].pid, "celery": processes[1].pid}
        cpu_before = cpu_seconds(roots)
        started = time.perf_counter()
        for c in clients:
            c.start()
        stop_progress = threading.Event()

        def progress() -> None:
            while not stop_progress.wait(5):
                say(f"  … {count_messages()} of {total} in the inbox after {time.perf_counter() - started:.0f}s")

        threading.Thread(target=progress, daemon=True).start()
        for c in clients:
            c.join()
        posted = time.perf_counter() - started
        statuses: dict[int, int] = {}
        for _ in clients:
            for status, n in results.get().items():
                statuses[status] = statuses.get(status, 0) + n
        say(f"posted in {posted:.1f}s ({total / posted:,.0f} requests/s); answers {statuses}")

        deadline = time.monotonic() + 300
        while count_messages() < total and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        stop_progress.set()
        stored = count_messages()
        cpu_after = cpu_seconds(roots)
        cpu_ms = {name: round((cpu_after[name] - cpu_before[name]) * 1000 / max(stored, 1), 3) for name in cpu_after}
        say(f"CPU per message (ms): {cpu_ms} (the load clients are not counted)")
    finally:
        stop_all()

    e2e_rate = stored / elapsed
    ratio = e2e_rate / raw_rate
    say(f"end to end: {stored} messages in {elapsed:.1f}s = {e2e_rate:,.0f} messages/s ({ratio:.0%} of raw)")
    met = stored == total and statuses.get(202, 0) == total and ratio >= TARGET_RATIO
    print(
        json.dumps(
            {
                "bench": "ingest",
                "figures": {
                    "events": total,
                    "concurrency": args.concurrency,
                    "accepted_202": statuses.get(202, 0),
                    "messages_stored": stored,
                    "webhook_requests_per_s": round(total / posted, 1),
                    "end_to_end_messages_per_s": round(e2e_rate, 1),
                    "raw_insert_rows_per_s": round(raw_rate, 1),
                    "ratio": round(ratio, 3),
                    "cpu_ms_per_message": cpu_ms,
                },
                "target": {"ratio_at_least": TARGET_RATIO, "all_events_stored": True},
                "met": met,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
