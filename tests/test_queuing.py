"""All queuing goes through ``core.queue.dispatch``: a bare ``.delay`` after a
state change loses the follow-up when the broker is down."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["core", "channels", "inbox", "protocols", "teams", "listening", "reports", "demo", "config"]


def _bare_queuing(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"delay", "apply_async", "send_task"}
    ]


def test_only_the_dispatch_helper_queues_tasks():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == ROOT / "core" / "queue.py":
                continue
            offenders += [f"{path.relative_to(ROOT)}:{n}" for n in _bare_queuing(ast.parse(path.read_text()))]
    assert offenders == []
    assert _bare_queuing(ast.parse("task.delay(1)\ntask.apply_async((1,))")) == [1, 2]


def test_a_lost_drain_delays_ingest_by_seconds_not_half_a_minute(settings):
    """Hardening item 11: after a worker dies mid-drain, the next drain comes within seconds."""
    from inbox.services.ingest import DRAIN_FLAG_SECONDS

    assert settings.CELERY_BEAT_SCHEDULE["drain-inbound-events"]["schedule"].total_seconds() <= 5
    assert DRAIN_FLAG_SECONDS <= 5
