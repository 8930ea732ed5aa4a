"""Figures of weeks that did not change, kept in the cache between reports.

Every hook that writes the report's tables bumps the version of the weeks it
wrote into (``weeks_touch``: the week of a conversation's first message, of an
hour's volume, of a day's counts), at once and again after commit;
``reports_rebuild`` bumps a generation. A computed figure is stored under its
name, its bounds, the channels it covers and the versions of every week it
spans, so a changed week is never read from the cache; entries also expire
after ``TTL`` seconds. Only the kept tables' figures are cached (the raw
computation never is), and a cache that does not answer only costs the
computation.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction

from reports.weeks import Week

logger = logging.getLogger(__name__)

TTL = 600
_GENERATION = "reports:generation"


def _version_key(label: str) -> str:
    return f"reports:week:{label}"


def _bump(keys: list[str]) -> None:
    """Give each key a new version: a fresh unique value, all in one round trip."""
    try:
        stamp = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
        cache.set_many(dict.fromkeys(keys, stamp), timeout=None)
    except Exception:  # the cache is an optimisation; entries expire anyway
        logger.debug("Cache unavailable; report versions not bumped.", exc_info=True)


def weeks_touch(moments: Iterable[datetime | None]) -> None:
    """The report's tables changed for these moments: their weeks' cached figures are stale."""
    # Weeks start at a local midnight, a whole hour in UTC: the hour decides the week.
    hours = {m.astimezone(UTC).replace(minute=0, second=0, microsecond=0) for m in moments if m is not None}
    keys = sorted({_version_key(Week.containing(hour).label) for hour in hours})
    if keys:
        _bump(keys)
        # Again once committed: a report computed in between read the old rows.
        transaction.on_commit(lambda: _bump(keys), robust=True)


def everything_touch() -> None:
    _bump([_GENERATION])


def _weeks(lo: datetime, hi: datetime) -> list[str]:
    labels, week = [], Week.containing(lo)
    last = Week.containing(hi - timedelta(microseconds=1))
    while week <= last:
        labels.append(week.label)
        week = week.shift(1)
    return labels


def cached(name: str, lo: datetime, hi: datetime, channels: list[int] | None, compute: Callable[[], Any]) -> Any:
    """``compute()``, or what it gave before for the same weeks, unchanged since."""
    try:
        keys = [_GENERATION, *(_version_key(label) for label in _weeks(lo, hi))]
        versions = cache.get_many(keys)
        signature = repr((name, lo.isoformat(), hi.isoformat(), channels, [versions.get(k) for k in keys]))
        key = "reports:figures:" + hashlib.sha256(signature.encode()).hexdigest()
        hit = cache.get(key)
    except Exception:
        logger.debug("Cache unavailable; computing the report.", exc_info=True)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, TTL)
    except Exception:
        logger.debug("Cache unavailable; figures not kept.", exc_info=True)
    return value
