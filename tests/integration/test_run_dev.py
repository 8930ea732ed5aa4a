"""`make run`'s processes stop in seconds on Ctrl-C (hardening item 11)."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout
        kids = {int(line) for line in out.split()}
        found |= kids
        todo += list(kids)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_ctrl_c_stops_web_worker_beat_and_fakes_within_seconds(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "MOSTRADOR_VAR_DIR": str(tmp_path),
        "DEBUG": "1",
        "PORT": str(port),
        "X_PORT": str(_free_port()),
        "GRAPH_PORT": str(_free_port()),
        "GOOGLE_PORT": str(_free_port()),
        "DEMO_FEEDS_PORT": str(_free_port()),
        "DEMO_IMAP_PORT": str(_free_port()),
        "DEMO_SMTP_PORT": str(_free_port()),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)  # the embedded default: SQLite and the file broker
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = subprocess.Popen(
        [str(ROOT / "scripts/run_dev.sh")],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the web process did not start")
        time.sleep(3)  # worker and beat up too
        processes = {pid for pid in _children(script.pid) if "python" in _cmdline(pid) or "celery" in _cmdline(pid)}
        assert len(processes) >= 5  # web, worker (and its pool), beat, two fake APIs
        started = time.monotonic()
        os.killpg(script.pid, signal.SIGINT)  # what Ctrl-C does in a terminal
        script.wait(timeout=30)
        elapsed = time.monotonic() - started
        assert elapsed < 8, f"stopping took {elapsed:.1f} s"
        time.sleep(1)
        alive = [pid for pid in processes if _cmdline(pid)]
        assert alive == []
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
