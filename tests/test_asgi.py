"""The web process is ASGI (``config/asgi.py``): Django's middleware still does its work there.

Requests are driven as uvicorn drives them (scope, receive, send) through the
application the production command serves.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from django.test import Client

from channels.models import InboundEvent
from tests import aio
from tests.conftest import sign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _connections_closed_after_each_request(settings, monkeypatch):
    # The handler's threads end with each request: their connections must not outlive it.
    monkeypatch.setitem(settings.DATABASES["default"], "CONN_MAX_AGE", 0)


def _call(
    method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict, bytes]:
    from config.asgi import application

    async def run():
        sent: list[dict] = []
        chunks = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive():
            if chunks:
                return chunks.pop(0)
            await asyncio.sleep(3600)

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000),
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        }
        await asyncio.wait_for(application(scope, receive, send), 10)
        start = sent[0]
        response_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return start["status"], response_headers, b"".join(m.get("body", b"") for m in sent[1:])

    return aio.run(run())


def test_a_webhook_delivery_takes_the_fast_path_under_asgi(web_channel, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    body = json.dumps({"external_id": "asgi-1", "name": "Ana", "email": "a@example.com", "message": "Hola"}).encode()
    status, headers, content = _call(
        "POST",
        f"/webhooks/web/{web_channel.key}/",
        body=body,
        headers={
            "content-type": "application/json",
            "content-length": str(len(body)),
            "host": "127.0.0.1",
            "x-mostrador-signature": sign("web-secret", body),
        },
    )
    assert status == 202, content
    assert json.loads(content)["status"] == "accepted"
    assert "set-cookie" not in headers  # no session, no CSRF cookie: the middleware below was skipped
    assert "content-security-policy" not in headers
    assert headers["x-content-type-options"] == "nosniff"  # SecurityMiddleware, before the fast path, still applies
    assert InboundEvent.objects.filter(channel=web_channel).count() == 1


def test_a_bad_signature_is_refused_under_asgi(web_channel):
    body = b'{"external_id": "asgi-2", "message": "x"}'
    status, _headers, _content = _call(
        "POST",
        f"/webhooks/web/{web_channel.key}/",
        body=body,
        headers={"content-type": "application/json", "host": "127.0.0.1", "x-mostrador-signature": "sha256=00"},
    )
    assert status in (401, 403)
    assert list(InboundEvent.objects.values_list("status", flat=True)) == [InboundEvent.Status.REJECTED]


def test_pages_keep_their_session_csp_and_idle_timeout_under_asgi(gestor, settings):
    from django.contrib.sessions.backends.db import SessionStore

    from core.accounts.middleware import LAST_ACTIVITY_KEY

    client = Client()
    client.force_login(gestor)
    cookie = client.cookies["sessionid"].value
    status, headers, content = _call("GET", "/", headers={"host": "127.0.0.1", "cookie": f"sessionid={cookie}"})
    assert status == 200
    assert "content-security-policy" in headers
    assert b'sse-connect="/live/"' in content  # the page listens for changes

    session = SessionStore(cookie)
    session[LAST_ACTIVITY_KEY] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    status, headers, _content = _call("GET", "/", headers={"host": "127.0.0.1", "cookie": f"sessionid={cookie}"})
    assert status == 302
    assert headers["location"].startswith("/accounts/login/")
