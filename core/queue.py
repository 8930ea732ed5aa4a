"""Hand work to Celery without ever failing, or stalling, the caller.

Everything dispatched here is already stored in the database, and a periodic
task sweeps up what was not dispatched. So when the broker is down the caller
goes on: the first failure costs one connection attempt, and for the next
``BACKOFF_SECONDS`` this process does not try again.
"""

import logging
import time

from django.db import transaction

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 30.0
_broker_down_until = 0.0


def dispatch(task, *, args: tuple = (), countdown: float | None = None) -> bool:
    """Queue ``task``; return False (and log) if the broker cannot take it now."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        task.apply_async(args, countdown=countdown, retry=False)
    except Exception:
        _broker_down_until = time.monotonic() + BACKOFF_SECONDS
        logger.warning(
            "Broker unavailable: %s not queued; the periodic sweep will pick the work up.", task.name, exc_info=True
        )
        return False
    return True


def dispatch_on_commit(task, *, args: tuple = (), countdown: float | None = None) -> None:
    """``dispatch`` once the caller's transaction commits (at once outside one)."""
    transaction.on_commit(lambda: dispatch(task, args=args, countdown=countdown))


def reset() -> None:
    """Forget a past failure (tests, and after a deploy)."""
    global _broker_down_until
    _broker_down_until = 0.0
