"""Live changes: what changed, told to every open page within a second or two.

Writers call ``conversations_changed`` (the event log's one writer does, for
every event) or ``alerts_changed`` (``core.alerts``); the change is published
after the transaction commits, never before and never for a rollback.

With Redis (``REDIS_URL``) a change is one ``PUBLISH`` on a pub/sub channel;
each web process keeps one subscription (``Hub``) and hands every change to
the open streams of ``GET /live/`` (``inbox/live.py``), which hold no thread,
only a queue on the event loop. Without Redis (the embedded default) nothing
is published: the stream reads new events and alerts from the database.

A change carries ids only, never text: a page that hears of one asks the
server again for what it shows, through the usual permission checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

CONVERSATION = "conversation"
ALERT = "alert"
# Told to the streams when the subscription was lost a while: anything may have changed.
RESYNC = "resync"


@dataclass(frozen=True)
class Change:
    kind: str  # CONVERSATION, ALERT or RESYNC
    ids: tuple[int, ...] = ()  # conversation ids, or the alerts' recipients
    seq: int = 0  # its number among all changes published (Redis counts them)

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "ids": list(self.ids)})

    @classmethod
    def from_message(cls, raw: str | bytes) -> Change:
        """A published message: "<seq> <json>"."""
        text = raw.decode() if isinstance(raw, bytes) else raw
        seq, _sep, body = text.partition(" ")
        data = json.loads(body)
        return cls(kind=str(data["kind"]), ids=tuple(int(i) for i in data.get("ids", [])), seq=int(seq))


def redis_url() -> str:
    """The Redis that carries the changes between processes ("" on the embedded default)."""
    return getattr(settings, "MOSTRADOR_LIVE_REDIS_URL", "") or settings.REDIS_URL


def seq_key() -> str:
    """The counter of changes published: a stream that reconnects knows whether it missed any."""
    return channel_name() + ":seq"


def channel_name() -> str:
    """The pub/sub channel. Pub/sub ignores Redis's database numbers, so the
    number is part of the name: two sites (or test runs) on one Redis never hear each other."""
    path = urlparse(redis_url()).path.strip("/") or "0"
    return f"mostrador:live:{path}"


# Changes this process has written, committed or not: part of ``version()``, so
# that this process (and a test inside one transaction) never reads what it kept
# from before its own change, even before the change is committed and published.
_written = 0


def conversations_changed(ids: Iterable[int]) -> None:
    """Tell open pages, after commit, that these conversations changed."""
    global _written
    change = Change(CONVERSATION, tuple(sorted({int(i) for i in ids if i is not None})))
    if change.ids:
        _written += 1
    _after_commit(change)


def alerts_changed(recipient_ids: Iterable[int]) -> None:
    """Tell these people's open pages, after commit, that their alerts changed."""
    _after_commit(Change(ALERT, tuple(sorted({int(i) for i in recipient_ids if i is not None}))))


class _Pending:
    """The changes of one transaction, published together once it commits: a
    message that is received, classified and assigned in one transaction is one
    round trip to Redis per kind, not one per event."""

    def __init__(self) -> None:
        self.ids: dict[str, set[int]] = {}

    def __call__(self) -> None:
        for kind, ids in self.ids.items():
            publish(Change(kind, tuple(sorted(ids))))


def _after_commit(change: Change) -> None:
    if not change.ids or not redis_url():
        return  # nothing changed, or the streams read the database themselves
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        publish(change)  # autocommit: it is committed already
        return
    # Join the transaction's pending publication while its hook is still queued
    # (a rolled-back savepoint or transaction drops the hook, and a new one starts).
    pending = next((hook for _sids, hook, _robust in connection.run_on_commit if isinstance(hook, _Pending)), None)
    if pending is None:
        pending = _Pending()
        transaction.on_commit(pending)
    pending.ids.setdefault(change.kind, set()).update(change.ids)


_client: Any = None
# Count the change and publish it with its number, in one round trip.
_PUBLISH = """
local n = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], n .. ' ' .. ARGV[2])
return n
"""


def _redis() -> Any:
    """This process's client of the live Redis (dropped by a caller whose command failed)."""
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(redis_url(), socket_connect_timeout=1, socket_timeout=1)
    return _client


def publish(change: Change) -> None:
    """Publish now. Never fails the caller: a page that misses a change still
    refreshes on its next one, or on its slow timer."""
    global _client
    try:
        _redis().eval(_PUBLISH, 1, seq_key(), channel_name(), change.to_json())
    except Exception:
        logger.warning("Live change not published.", exc_info=True)
        _client = None


def version() -> str | None:
    """Which changes to conversations have been seen so far: the number published
    (by every process) and those this process wrote. Anything kept on the side
    of a page (counts) under it is current until the next change. None without
    Redis, or when it cannot be read: then nothing should be kept."""
    global _client
    if not redis_url():
        return None
    try:
        return f"{int(_redis().get(seq_key()) or 0)}.{_written}"
    except Exception:
        logger.warning("Live change counter not read.", exc_info=True)
        _client = None
        return None


class Hub:
    """One Redis subscription per process and event loop, shared by every open stream.

    ``subscribe()`` returns a queue that receives each ``Change`` once the
    subscription is confirmed; ``unsubscribe()`` drops it; the subscription
    ends with the last queue.
    """

    RECONNECT_SECONDS = 1.0

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[Change]] = set()
        self.task: asyncio.Task[None] | None = None
        self.ready: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def subscribe(self, timeout: float = 3.0) -> asyncio.Queue[Change]:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:  # a new event loop (tests): start afresh on it
            self.queues, self.task, self.ready, self.loop = set(), None, asyncio.Event(), loop
        queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=1000)
        self.queues.add(queue)
        if self.task is None or self.task.done():
            assert self.ready is not None
            self.ready.clear()
            self.task = loop.create_task(self._listen())
        assert self.ready is not None
        try:
            await asyncio.wait_for(self.ready.wait(), timeout)
        except TimeoutError:
            logger.warning("Live: Redis did not confirm the subscription in %ss.", timeout)
        return queue

    async def current_seq(self) -> int:
        """How many changes were published so far (0 when Redis cannot say)."""
        import redis.asyncio as aioredis
        from redis.exceptions import RedisError

        client = aioredis.Redis.from_url(redis_url(), socket_connect_timeout=2, socket_timeout=2)
        try:
            return int(await client.get(seq_key()) or 0)
        except (RedisError, OSError):
            return 0
        finally:
            with contextlib.suppress(RedisError, OSError):
                await client.aclose()

    def unsubscribe(self, queue: asyncio.Queue[Change]) -> None:
        self.queues.discard(queue)
        if not self.queues and self.task is not None and not self.task.done():
            self.task.cancel()
            self.task = None

    def _fan_out(self, change: Change) -> None:
        for queue in list(self.queues):
            # A stalled page that has a thousand changes to read already misses this one.
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(change)

    async def _listen(self) -> None:
        import redis.asyncio as aioredis
        from redis.exceptions import RedisError

        lost = False
        while True:
            client = aioredis.Redis.from_url(redis_url(), socket_connect_timeout=2)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(channel_name())
                assert self.ready is not None
                self.ready.set()
                if lost:  # changes published meanwhile were not heard
                    self._fan_out(Change(RESYNC))
                    lost = False
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is None or message.get("type") != "message":
                        continue
                    try:
                        self._fan_out(Change.from_message(message["data"]))
                    except (ValueError, KeyError, TypeError):
                        logger.warning("Live: ignored a malformed change %r.", message.get("data"))
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError):
                logger.warning("Live: Redis subscription lost; again in %ss.", self.RECONNECT_SECONDS, exc_info=True)
                lost = True
                await asyncio.sleep(self.RECONNECT_SECONDS)
            finally:
                with contextlib.suppress(RedisError, OSError):  # closing a broken connection
                    await pubsub.aclose()
                    await client.aclose()


hub = Hub()
