"""Webhook endpoint: accepted deliveries are stored first; bad ones rejected and recorded."""

import json

import pytest

from channels.models import InboundEvent
from inbox.models import Message

pytestmark = pytest.mark.django_db

FORM = {
    "external_id": "f-1",
    "name": "Ana",
    "email": "ana@example.com",
    "subject": "Pan",
    "message": "¿Pan de centeno?",
}


def test_signed_delivery_is_stored_and_answered_202(web_channel, post_webhook):
    response = post_webhook(web_channel, FORM)
    assert response.status_code == 202
    event = InboundEvent.objects.get()
    assert response.json() == {"status": "accepted", "event_id": event.pk, "items": 1}
    assert event.status == InboundEvent.Status.ACCEPTED
    assert event.channel == web_channel
    assert json.loads(bytes(event.body)) == FORM
    assert "X-Mostrador-Signature" in event.headers


def test_accepted_delivery_is_processed_after_commit(web_channel, post_webhook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(web_channel, FORM)
    event = InboundEvent.objects.get()
    assert event.status == InboundEvent.Status.PROCESSED
    assert Message.objects.get().body == "¿Pan de centeno?"


def test_unsigned_delivery_is_403_and_recorded(web_channel, post_webhook):
    response = post_webhook(web_channel, FORM, secret=False)
    assert response.status_code == 403
    assert response.json()["status"] == "rejected"
    event = InboundEvent.objects.get()
    assert event.status == InboundEvent.Status.REJECTED
    assert "Missing X-Mostrador-Signature" in event.error
    assert Message.objects.count() == 0


def test_forged_delivery_is_403_and_recorded(web_channel, post_webhook):
    response = post_webhook(web_channel, FORM, secret="guessed")
    assert response.status_code == 403
    assert InboundEvent.objects.get().status == InboundEvent.Status.REJECTED


def test_malformed_delivery_is_400_with_a_clear_error(web_channel, post_webhook):
    response = post_webhook(web_channel, None, raw=b'{"email": "ana@example.com"')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]
    event = InboundEvent.objects.get()
    assert event.status == InboundEvent.Status.REJECTED
    assert bytes(event.body) == b'{"email": "ana@example.com"'


def test_missing_fields_are_named(web_channel, post_webhook):
    response = post_webhook(web_channel, {"name": "Ana"})
    assert response.status_code == 400
    assert response.json()["error"] == "email is required; message is required"


def test_unknown_channel_is_refused_like_a_forgery_and_recorded(client):
    """Hardening item 4: keys are not enumerable."""
    response = client.post("/webhooks/web/nope/", data=b"{}", content_type="application/json")
    assert response.status_code == 403
    event = InboundEvent.objects.get()
    assert "nope" in event.error and "nope" not in response.json()["error"]
    assert event.channel is None
    assert event.status == InboundEvent.Status.REJECTED


def test_inactive_channel_refuses(web_channel, post_webhook):
    web_channel.active = False
    web_channel.save()
    assert post_webhook(web_channel, FORM).status_code == 403


def test_too_large_body_is_413(web_channel, post_webhook, settings):
    settings.MOSTRADOR_WEBHOOK_MAX_BYTES = 100
    response = post_webhook(web_channel, {**FORM, "message": "x" * 200})
    assert response.status_code == 413
    assert InboundEvent.objects.get().status == InboundEvent.Status.REJECTED


def test_only_post_is_allowed(web_channel, client):
    assert client.get(f"/webhooks/web/{web_channel.key}/").status_code == 405


def test_cookies_and_authorization_are_not_stored(web_channel, client):
    body = json.dumps(FORM).encode()
    from tests.conftest import sign

    client.post(
        f"/webhooks/web/{web_channel.key}/",
        data=body,
        content_type="application/json",
        HTTP_X_MOSTRADOR_SIGNATURE=sign("web-secret", body),
        HTTP_AUTHORIZATION="Bearer leak",
    )
    headers = {k.lower() for k in InboundEvent.objects.get().headers}
    assert "authorization" not in headers


def test_broker_down_still_accepts_and_stores(
    web_channel, post_webhook, django_capture_on_commit_callbacks, monkeypatch
):
    from inbox import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.inbound_events_drain_task, "apply_async", broker_down)
    monkeypatch.setattr("core.queue._broker_down_until", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(web_channel, FORM)
    assert response.status_code == 202
    assert InboundEvent.objects.get().status == InboundEvent.Status.ACCEPTED

    from inbox.services.ingest import inbound_events_drain

    assert inbound_events_drain() == 1
    assert InboundEvent.objects.get().status == InboundEvent.Status.PROCESSED


def test_channel_lookups_are_remembered_briefly(web_channel, post_webhook, settings, django_assert_num_queries):
    from channels import services

    settings.MOSTRADOR_CHANNEL_CACHE_SECONDS = 60
    services._channels.clear()
    try:
        post_webhook(web_channel, FORM)
        # Remembered: the second delivery only stores its event.
        with django_assert_num_queries(1):
            assert post_webhook(web_channel, {**FORM, "external_id": "f-2"}).status_code == 202
    finally:
        services._channels.clear()
