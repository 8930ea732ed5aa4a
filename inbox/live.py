"""``GET /live/``: Server-Sent Events telling an open page what changed.

Served by ``config/asgi.py`` in front of Django's handler, as a plain ASGI
app: an open page costs a queue on the event loop, not a thread (Django's
middleware chain would pin one thread per request for as long as the stream
lasts). What the middleware would check is checked once when the stream
opens (``core.accounts.middleware.stream_user``: signed in, session current,
second factor), and a role; the stream ends every few minutes and the browser
reconnects through the same checks.

Events (each ``data`` is ids, never text):

- ``inbox``: some conversation changed (a message, an assignment, a reply, a deadline…);
- ``conversation-<id>``: this one did;
- ``alerts``: the reader's own alerts changed (a new one, some read);
- ``resync``: changes may have been missed; refresh everything.

Each change carries its number (``id:``, Redis counts them; on the embedded
default the newest event and alert): a browser reconnecting sends the last
one back (``Last-Event-ID``) and hears what it missed, or ``resync``.

Heartbeats are SSE comments (``: keep-alive``): the browser fires nothing for
them, so a page never refreshes for a heartbeat.

With Redis, changes come from ``core.live.hub`` (one subscription per
process). On the embedded default the stream reads the database itself every
half second: new event-log rows, and the reader's alerts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import wraps
from http.cookies import CookieError, SimpleCookie
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connections
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from core import live, roles

logger = logging.getLogger(__name__)

PATH = "/live/"
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 300.0  # then the browser reconnects, through the checks again
POLL_SECONDS = 0.5  # embedded default: how often the stream reads the database
RETRY_MS = 1000  # how soon the browser reconnects after a stream ends


def _db(func: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """Run ``func`` in a pooled thread (not one pinned to the stream) and close
    its database connections after: no request cycle closes them here."""

    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()

    return sync_to_async(run, thread_sensitive=False)


@_db
def _reader(session_key: str) -> int | None:
    """The id of the user this session may stream to, or None."""
    from core.accounts.middleware import stream_user

    close_old_connections()
    user = stream_user(session_key)
    if user is None or not roles.can_view_inbox(user):
        return None
    return int(user.pk)


# --- What changed, in SSE ------------------------------------------------------------


@dataclass
class Batch:
    """Changes gathered while the stream was waiting, said once."""

    conversations: set[int] = field(default_factory=set)
    alerts: bool = False
    resync: bool = False
    last_id: str = ""

    def __bool__(self) -> bool:
        return bool(self.conversations or self.alerts or self.resync)

    @property
    def worth_saying(self) -> bool:
        """Something to say: a change for this reader, or only a newer id."""
        return bool(self) or bool(self.last_id)

    def add(self, change: live.Change, user_id: int) -> None:
        if change.seq:
            # The id the browser sends back on reconnecting (every change counts, even another's alert).
            self.last_id = str(max(change.seq, int(self.last_id or 0)))
        if change.kind == live.CONVERSATION:
            # Every role reads every conversation (``selectors.conversation_list``
            # filters by nothing else), so every reader hears of every one.
            self.conversations.update(change.ids)
        elif change.kind == live.ALERT and user_id in change.ids:
            self.alerts = True  # only the recipient's pages hear of their alerts
        elif change.kind == live.RESYNC:
            self.resync = True

    def encode(self) -> str:
        parts = []
        if self.conversations or self.resync:
            ids = ",".join(str(i) for i in sorted(self.conversations))
            parts.append(f"event: inbox\ndata: {ids}\n\n")
        for conversation_id in sorted(self.conversations):
            parts.append(f"event: conversation-{conversation_id}\ndata: {conversation_id}\n\n")
        if self.alerts or self.resync:
            parts.append("event: alerts\ndata: \n\n")
        if self.resync:
            parts.append("event: resync\ndata: \n\n")
        if self.last_id:
            parts.append(f"id: {self.last_id}\n\n")
        return "".join(parts)


class RedisSource:
    """Changes from the process's Redis subscription."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.queue: asyncio.Queue[live.Change] | None = None

    async def open(self, last_event_id: str) -> Batch:
        self.queue = await live.hub.subscribe()
        seq = await live.hub.current_seq()
        # A reconnect that missed changes (the counter moved on): refresh everything.
        missed = last_event_id.isdigit() and int(last_event_id) != seq
        return Batch(resync=missed, last_id=str(seq) if seq else "")

    async def next(self, timeout: float) -> Batch | None:
        assert self.queue is not None
        try:
            first = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None
        batch = Batch()
        batch.add(first, self.user_id)
        while not self.queue.empty():
            batch.add(self.queue.get_nowait(), self.user_id)
        return batch if batch.worth_saying else None

    def close(self) -> None:
        if self.queue is not None:
            live.hub.unsubscribe(self.queue)


class DatabaseSource:
    """Changes read from the database (the embedded default has no Redis)."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.event_id = 0
        self.alerts: tuple[int, int] = (0, 0)

    async def open(self, last_event_id: str) -> Batch:
        event_id, alerts = await self._now()
        batch = Batch()
        seen = _parse_id(last_event_id)
        if seen is not None:  # a reconnect: say what happened in between
            self.event_id, self.alerts = seen
            batch = await self._changes()
        self.event_id, self.alerts = max(self.event_id, event_id), alerts
        return batch

    async def next(self, timeout: float) -> Batch | None:
        loop = asyncio.get_running_loop()
        until = loop.time() + timeout
        while True:
            batch = await self._changes()
            if batch:
                return batch
            left = until - loop.time()
            if left <= 0:
                return None
            await asyncio.sleep(min(POLL_SECONDS, left))

    async def _changes(self) -> Batch:
        conversation_ids, event_id, alerts = await _read_since(self.event_id, self.user_id)
        batch = Batch(conversations=set(conversation_ids), alerts=alerts != self.alerts)
        if batch:
            self.event_id, self.alerts = max(event_id, self.event_id), alerts
            batch.last_id = f"{self.event_id}.{alerts[0]}.{alerts[1]}"
        return batch

    async def _now(self) -> tuple[int, tuple[int, int]]:
        _ids, event_id, alerts = await _read_since(None, self.user_id)
        return event_id, alerts

    def close(self) -> None:
        pass


def _parse_id(raw: str) -> tuple[int, tuple[int, int]] | None:
    try:
        event_id, alert_id, unread = (int(part) for part in raw.split("."))
    except ValueError:
        return None
    return event_id, (alert_id, unread)


@_db
def _read_since(event_id: int | None, user_id: int) -> tuple[list[int], int, tuple[int, int]]:
    """Conversations with events after ``event_id`` (none when None), the newest
    event id, and the reader's alerts as (newest id, unread count)."""
    from django.db.models import Count, Max, Q

    from core.models import Alert
    from inbox.models import ConversationEvent

    events = ConversationEvent.objects.all()
    if event_id is None:
        ids: list[int] = []
        newest = events.aggregate(newest=Max("id"))["newest"] or 0
    else:
        rows = list(events.filter(id__gt=event_id).order_by("id").values_list("id", "conversation_id")[:1000])
        ids = sorted({conversation for _pk, conversation in rows})
        newest = rows[-1][0] if rows else event_id
    mine = Alert.objects.filter(recipient_id=user_id).aggregate(
        newest=Max("id"), unread=Count("id", filter=Q(read_at__isnull=True))
    )
    return ids, newest, (mine["newest"] or 0, mine["unread"])


# --- The ASGI app --------------------------------------------------------------------


def _headers(scope: dict) -> dict[str, str]:
    return {name.decode("latin1").lower(): value.decode("latin1") for name, value in scope.get("headers", [])}


async def _plain(send: Callable[[dict], Awaitable[None]], status: int, text: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"x-content-type-options", b"nosniff")],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})


async def app(scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable[[dict], Awaitable[None]]) -> None:
    """The ASGI app for ``GET /live/``."""
    if scope["method"] not in ("GET", "HEAD"):
        await _plain(send, 405, "Method not allowed")
        return
    headers = _headers(scope)
    cookie: SimpleCookie = SimpleCookie()
    with contextlib.suppress(CookieError):  # a malformed cookie header is no session
        cookie.load(headers.get("cookie", ""))
    morsel = cookie.get(settings.SESSION_COOKIE_NAME)
    user_id = await _reader(morsel.value if morsel else "")
    if user_id is None:
        await _plain(send, 403, "Sign in with a Mostrador role to follow changes.")
        return
    source: RedisSource | DatabaseSource = RedisSource(user_id) if live.redis_url() else DatabaseSource(user_id)
    try:
        first = await source.open(headers.get("last-event-id", ""))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-store"),
                    (b"x-accel-buffering", b"no"),  # nginx: pass each event on at once
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        if scope["method"] == "HEAD":
            await send({"type": "http.response.body"})
            return
        stream = asyncio.ensure_future(_stream(source, first, send))
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            await asyncio.wait({stream, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (stream, gone):
                task.cancel()
            await asyncio.gather(stream, gone, return_exceptions=True)
        if stream.done() and not stream.cancelled() and stream.exception() is None:
            await send({"type": "http.response.body"})
    finally:
        source.close()


async def _disconnected(receive: Callable[[], Awaitable[dict]]) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _stream(source: RedisSource | DatabaseSource, first: Batch, send: Callable[[dict], Awaitable[None]]) -> None:
    async def say(text: str) -> None:
        await send({"type": "http.response.body", "body": text.encode(), "more_body": True})

    await say(f"retry: {RETRY_MS}\n: connected\n\n")
    if first.worth_saying:
        await say(first.encode())
    loop = asyncio.get_running_loop()
    until = loop.time() + STREAM_SECONDS
    while (left := until - loop.time()) > 0:
        batch = await source.next(min(HEARTBEAT_SECONDS, left))
        await say(batch.encode() if batch is not None else ": keep-alive\n\n")


# --- Outside the ASGI server ---------------------------------------------------------


@require_GET
def live_unavailable(request):
    """``/live/`` reached through Django's handler, not the ASGI app in front
    of it (a WSGI server, the test client): the same checks, then 204, which
    tells the browser to stop trying; the pages keep their slow refresh."""
    if not request.user.is_authenticated or not roles.can_view_inbox(request.user):
        raise PermissionDenied
    return HttpResponse(status=204)
