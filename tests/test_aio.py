"""Coroutines in tests run through ``tests.aio.run``: ``asyncio.run`` fails in a
session where the browser tests' Playwright keeps a loop running in the main thread."""

from pathlib import Path

HERE = Path(__file__).parent


def test_no_test_calls_asyncio_run_directly():
    callers = [
        str(path.relative_to(HERE))
        for path in HERE.rglob("*.py")
        if path.name not in ("aio.py", "test_aio.py") and "asyncio" + ".run(" in path.read_text(encoding="utf-8")
    ]
    assert callers == []
