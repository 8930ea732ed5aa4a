"""Who is on a page now (viewing, or writing a reply), so that two people do not answer twice.

Each open page says it is there every few seconds; what it said expires after
``TTL_SECONDS``. With Redis: one sorted set per place, scored by expiry (stale
members are dropped on each read, and the key itself expires). Without Redis
(the embedded default): a dict in the cache, good enough for one machine.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from core import live

logger = logging.getLogger(__name__)

TTL_SECONDS = 15
STATES = ("viewing", "writing")


@dataclass(frozen=True)
class Presence:
    user_id: int
    state: str  # "viewing" or "writing"


def _key(place: str) -> str:
    return f"mostrador:presence:{place}"


_client: Any = None


def _redis() -> Any:
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(live.redis_url(), socket_connect_timeout=1, socket_timeout=1)
    return _client


def presence_touch(*, place: str, user_id: int, state: str, now: float | None = None) -> None:
    """Record that ``user_id`` is at ``place`` (``viewing`` or ``writing``) for the next few seconds."""
    if state not in STATES:
        state = "viewing"
    now = time.time() if now is None else now
    until = now + TTL_SECONDS
    if live.redis_url():
        try:
            pipe = _redis().pipeline()
            for other in STATES:
                pipe.zrem(_key(place), f"{user_id}:{other}")
            pipe.zadd(_key(place), {f"{user_id}:{state}": until})
            pipe.expire(_key(place), TTL_SECONDS * 2)
            pipe.execute()
        except Exception:
            logger.warning("Presence not recorded.", exc_info=True)
        return
    here = {int(k): v for k, v in (cache.get(_key(place)) or {}).items() if v[1] > now}
    here[user_id] = (state, until)
    cache.set(_key(place), here, TTL_SECONDS * 2)


def presence_here(*, place: str, now: float | None = None) -> list[Presence]:
    """Who is at ``place`` now, writers first."""
    now = time.time() if now is None else now
    found: dict[int, str] = {}
    if live.redis_url():
        try:
            client = _redis()
            client.zremrangebyscore(_key(place), "-inf", now)
            members = client.zrangebyscore(_key(place), now, "+inf")
        except Exception:
            logger.warning("Presence not read.", exc_info=True)
            return []
        for member in members:
            user_id, _sep, state = member.decode().partition(":")
            if state == "writing" or int(user_id) not in found:
                found[int(user_id)] = state
    else:
        for user_id, (state, until) in (cache.get(_key(place)) or {}).items():
            if until > now:
                found[int(user_id)] = state
    return sorted((Presence(u, s) for u, s in found.items()), key=lambda p: (p.state != "writing", p.user_id))
