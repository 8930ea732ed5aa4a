"""GET /live/: the ASGI app in front of Django tells open pages what changed.

Driven as the ASGI server drives it (scope, receive, send), on Redis pub/sub
and on the embedded default (the stream reads the database), with changes
committed from another thread as a worker or another request would.
"""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from core import live as core_live
from core.alerts import alerts_create, alerts_mark_read
from core.models import Alert
from inbox import events
from inbox import live as inbox_live
from tests import aio
from tests.factories import ConversationFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Stream:
    """One open ``/live/`` request: what it sent so far."""

    def __init__(self, cookie: str | None, *, last_event_id: str = "") -> None:
        headers = [(b"cookie", f"sessionid={cookie}".encode())] if cookie else []
        if last_event_id:
            headers.append((b"last-event-id", last_event_id.encode()))
        self.scope = {"type": "http", "method": "GET", "path": "/live/", "headers": headers}
        self.messages: list[dict] = []
        self.gone = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def _receive(self) -> dict:
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict) -> None:
        self.messages.append(message)

    async def open(self) -> Stream:
        self.task = asyncio.ensure_future(inbox_live.app(self.scope, self._receive, self._send))
        for _ in range(100):  # until the headers are out (or the refusal)
            if self.messages:
                break
            await asyncio.sleep(0.02)
        return self

    @property
    def status(self) -> int:
        return self.messages[0]["status"]

    @property
    def text(self) -> str:
        return "".join(m.get("body", b"").decode() for m in self.messages[1:])

    async def wait_for(self, needle: str, timeout: float = 2.0) -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        while needle not in self.text:
            if loop.time() - start > timeout:
                raise AssertionError(f"{needle!r} not streamed within {timeout}s; got {self.text!r}")
            await asyncio.sleep(0.02)
        return loop.time() - start

    async def close(self) -> None:
        self.gone.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, 2)


def _in_thread(func):
    return sync_to_async(func, thread_sensitive=False)()


@pytest.fixture(params=["redis", "database"])
def backend(request, settings):
    """Both ways changes travel: Redis pub/sub, and the embedded default's database reads."""
    if request.param == "database":
        settings.REDIS_URL = ""
    else:
        assert settings.REDIS_URL, "the suite runs with REDIS_URL"
    core_live._client = None
    return request.param


def test_a_committed_change_reaches_open_streams_and_only_the_recipient_hears_of_an_alert(
    backend, gestor, gestor2, web_channel
):
    conversation = ConversationFactory(channel=web_channel)
    mine, theirs = _cookie(gestor), _cookie(gestor2)

    async def scenario():
        first, second = await Stream(mine).open(), await Stream(theirs).open()
        assert first.status == second.status == 200
        assert "retry:" in first.text

        took = await _in_thread(lambda: events.resolved(conversation=conversation, by=gestor2))
        took = await first.wait_for(f"event: conversation-{conversation.pk}\n")
        await second.wait_for(f"event: conversation-{conversation.pk}\n")
        assert "event: inbox\n" in first.text
        assert took < 2.0

        await _in_thread(lambda: alerts_create(alerts=[Alert(recipient=gestor, kind=Alert.Kind.ASSIGNED, text="x")]))
        await first.wait_for("event: alerts\n")
        await asyncio.sleep(0.6)  # longer than a database read's interval
        assert "event: alerts" not in second.text  # someone else's alert

        await _in_thread(lambda: alerts_mark_read(user=gestor))
        await asyncio.sleep(0.8)
        assert first.text.count("event: alerts\n") == 2  # the badge in the other tabs
        await first.close()
        await second.close()

    aio.run(scenario())


def test_a_rolled_back_change_is_not_told(backend, gestor, web_channel):
    from django.db import transaction

    conversation = ConversationFactory(channel=web_channel)
    cookie = _cookie(gestor)

    def change_then_roll_back():
        with transaction.atomic():
            events.resolved(conversation=conversation, by=gestor)
            transaction.set_rollback(True)

    async def scenario():
        stream = await Stream(cookie).open()
        await _in_thread(change_then_roll_back)
        await asyncio.sleep(1.0)
        assert "event:" not in stream.text
        await stream.close()

    aio.run(scenario())


def test_one_transaction_publishes_its_changes_once_per_kind(gestor, web_channel, monkeypatch, settings):
    from django.db import transaction

    published: list[core_live.Change] = []
    monkeypatch.setattr(core_live, "publish", published.append)
    first, second = ConversationFactory(channel=web_channel), ConversationFactory(channel=web_channel)

    def work():
        with transaction.atomic():
            events.resolved(conversation=first, by=gestor)
            events.reopened(conversation=first, by=gestor)
            events.resolved(conversation=second, by=gestor)
            alerts_create(alerts=[Alert(recipient=gestor, kind=Alert.Kind.ASSIGNED, text="x")])
            assert published == []  # nothing before commit

    work()
    assert sorted((c.kind, c.ids) for c in published) == [
        (core_live.ALERT, (gestor.pk,)),
        (core_live.CONVERSATION, tuple(sorted([first.pk, second.pk]))),
    ]


def test_heartbeats_are_comments_not_events(backend, gestor, monkeypatch):
    monkeypatch.setattr(inbox_live, "HEARTBEAT_SECONDS", 0.1)
    cookie = _cookie(gestor)

    async def scenario():
        stream = await Stream(cookie).open()
        await stream.wait_for(": keep-alive\n\n")
        await asyncio.sleep(0.3)
        assert stream.text.count(": keep-alive") >= 2
        assert "event:" not in stream.text and "data:" not in stream.text  # the browser fires nothing
        await stream.close()

    aio.run(scenario())


def test_the_stream_ends_after_a_while_for_the_browser_to_reconnect_through_the_checks(gestor, monkeypatch):
    monkeypatch.setattr(inbox_live, "STREAM_SECONDS", 0.3)
    cookie = _cookie(gestor)

    async def scenario():
        stream = await Stream(cookie).open()
        await asyncio.wait_for(stream.task, 3)
        assert stream.messages[-1] == {"type": "http.response.body"}  # ended cleanly

    aio.run(scenario())


def test_a_reconnect_on_the_embedded_default_says_what_happened_in_between(settings, gestor, web_channel):
    settings.REDIS_URL = ""
    conversation = ConversationFactory(channel=web_channel)
    InboundMessageFactory(conversation=conversation)
    other = ConversationFactory(channel=web_channel)
    cookie = _cookie(gestor)

    async def scenario():
        stream = await Stream(cookie).open()
        await _in_thread(lambda: events.resolved(conversation=conversation, by=gestor))
        await stream.wait_for("id: ")
        last_id = stream.text.split("id: ")[-1].split("\n")[0]
        await stream.close()
        await _in_thread(lambda: events.resolved(conversation=other, by=gestor))
        again = await Stream(cookie, last_event_id=last_id).open()
        await again.wait_for(f"event: conversation-{other.pk}\n")
        assert f"event: conversation-{conversation.pk}\n" not in again.text  # already told
        await again.close()

    aio.run(scenario())


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_only_people_with_a_role_may_listen(who, outsider):
    cookie = None if who == "anonymous" else _cookie(outsider)

    async def scenario():
        stream = await Stream(cookie).open()
        await asyncio.wait_for(stream.task, 2)
        assert stream.status == 403

    aio.run(scenario())


def test_an_idle_session_may_not_listen(gestor, settings):
    import time

    from django.contrib.sessions.backends.db import SessionStore

    from core.accounts.middleware import LAST_ACTIVITY_KEY

    cookie = _cookie(gestor)
    session = SessionStore(cookie)
    session[LAST_ACTIVITY_KEY] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()

    async def scenario():
        stream = await Stream(cookie).open()
        await asyncio.wait_for(stream.task, 2)
        assert stream.status == 403

    aio.run(scenario())


def test_the_asgi_application_routes_live_in_front_of_django(gestor):
    from config.asgi import application

    cookie = _cookie(gestor)

    async def scenario():
        messages: list[dict] = []
        gone = asyncio.Event()

        async def receive():
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            messages.append(message)

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/live/",
            "headers": [(b"cookie", f"sessionid={cookie}".encode())],
        }
        task = asyncio.ensure_future(application(scope, receive, send))
        for _ in range(100):
            if messages:
                break
            await asyncio.sleep(0.02)
        assert messages[0]["status"] == 200
        assert (b"content-type", b"text/event-stream; charset=utf-8") in messages[0]["headers"]
        gone.set()
        await asyncio.wait_for(task, 2)

    aio.run(scenario())


def test_through_django_s_handler_live_answers_204_so_the_browser_stops_trying(client, gestor, outsider):
    client.force_login(gestor)
    assert client.get("/live/").status_code == 204
    client.force_login(outsider)
    assert client.get("/live/").status_code == 403


def test_a_reconnect_on_redis_resyncs_only_if_it_missed_a_change(gestor, web_channel):
    conversation = ConversationFactory(channel=web_channel)
    cookie = _cookie(gestor)

    async def scenario():
        stream = await Stream(cookie).open()
        await _in_thread(lambda: events.resolved(conversation=conversation, by=gestor))
        await stream.wait_for(f"event: conversation-{conversation.pk}\n")
        await stream.wait_for("id: ")
        last_id = stream.text.split("id: ")[-1].split("\n")[0]
        await stream.close()

        caught_up = await Stream(cookie, last_event_id=last_id).open()
        await asyncio.sleep(0.3)
        assert "event: resync" not in caught_up.text  # nothing happened in between
        await caught_up.close()

        await _in_thread(lambda: events.resolved(conversation=conversation, by=gestor))  # while away
        behind = await Stream(cookie, last_event_id=last_id).open()
        await behind.wait_for("event: resync\n")
        assert "event: inbox\n" in behind.text and "event: alerts\n" in behind.text
        await behind.close()

    aio.run(scenario())
