"""Running a coroutine from a test.

``asyncio.run`` refuses to start inside a running event loop, and the browser
tests' Playwright keeps one running in the main thread for the whole session:
a coroutine is run in a thread of its own, with a loop of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
