"""What an attacker and a bad byte can do at the webhook edge (hardening items 4, 5, 6)."""

import json

import pytest

from channels.models import InboundEvent, RefusalCount
from channels.services import NOT_AUTHENTIC, UNSIGNED_BODY_LIMIT
from inbox.models import Message
from tests.conftest import sign

pytestmark = pytest.mark.django_db

FORM = {"external_id": "h-1", "name": "Ana", "email": "ana@example.com", "subject": "Pan", "message": "Hola"}


def test_unsigned_deliveries_keep_only_their_first_bytes_and_are_rate_limited(client, web_channel, settings):
    settings.MOSTRADOR_REFUSALS_RECORDED_PER_HOUR = 5
    big = json.dumps({"junk": "x" * 500_000}).encode()
    for _ in range(20):
        response = client.post(f"/webhooks/web/{web_channel.key}/", data=big, content_type="application/json")
        assert response.status_code == 403
        assert response.json()["error"] == NOT_AUTHENTIC
    recorded = InboundEvent.objects.filter(status=InboundEvent.Status.REJECTED)
    assert recorded.count() == 5
    assert all(len(bytes(e.body)) == UNSIGNED_BODY_LIMIT for e in recorded)
    count = RefusalCount.objects.get()
    assert (count.kind, count.remote_addr, count.count) == ("web", "127.0.0.1", 20)


def test_signed_deliveries_are_always_stored_whole(client, web_channel, settings, post_webhook):
    settings.MOSTRADOR_REFUSALS_RECORDED_PER_HOUR = 0
    message = "ñ" * 19_000
    assert post_webhook(web_channel, {**FORM, "message": message}).status_code == 202
    assert json.loads(bytes(InboundEvent.objects.get().body))["message"] == message


def test_an_unknown_key_and_a_wrong_signature_answer_alike(client, web_channel, post_webhook):
    body = json.dumps(FORM).encode()
    unknown = client.post(
        "/webhooks/web/no-such-key/",
        data=body,
        content_type="application/json",
        HTTP_X_MOSTRADOR_SIGNATURE=sign("whatever", body),
    )
    forged = post_webhook(web_channel, FORM, secret="whatever")
    assert unknown.status_code == forged.status_code == 403
    assert unknown.json().keys() == forged.json().keys()
    assert unknown.json()["error"] == forged.json()["error"] == NOT_AUTHENTIC


def test_a_nul_byte_is_cleaned_at_the_edge_and_the_message_arrives(
    web_channel, post_webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(web_channel, {**FORM, "name": "A\u0000na", "message": "Pan\u0000 de centeno\u0007"})
    assert response.status_code == 202
    assert InboundEvent.objects.get().status == InboundEvent.Status.PROCESSED
    message = Message.objects.get()
    assert message.body == "Pan de centeno"
    assert message.author_contact.display_name == "Ana"


def test_a_nul_byte_in_a_header_does_not_break_the_record(client, web_channel):
    response = client.post(
        f"/webhooks/web/{web_channel.key}/", data=b"{}", content_type="application/json", HTTP_X_ODD="a\u0000b"
    )
    assert response.status_code == 403
    assert InboundEvent.objects.get().headers["X-Odd"] == "ab"


def test_deeply_nested_json_is_a_clear_400_and_recorded(web_channel, post_webhook):
    raw = b"[" * 100_000 + b"]" * 100_000
    response = post_webhook(web_channel, None, raw=raw)
    assert response.status_code == 400
    assert "too deeply" in response.json()["error"]
    assert InboundEvent.objects.get().status == InboundEvent.Status.REJECTED


@pytest.mark.parametrize("path", ["/webhooks/web/{key}/", "/webhooks/x/", "/webhooks/meta/"])
def test_a_body_over_django_s_limit_is_a_recorded_json_413(client, web_channel, path):
    body = b"x" * (3 * 1024 * 1024)
    response = client.post(path.format(key=web_channel.key), data=body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    event = InboundEvent.objects.get()
    assert event.status == InboundEvent.Status.REJECTED and "larger than" in event.error


def test_a_parser_bug_keeps_the_authentic_delivery_as_failed(web_channel, post_webhook, monkeypatch):
    from channels.connectors.web.connector import WebConnector

    def broken(self, body):
        raise AttributeError("a bug in the parser")

    monkeypatch.setattr(WebConnector, "parse_webhook", broken)
    response = post_webhook(web_channel, FORM)
    assert response.status_code == 202
    event = InboundEvent.objects.get()
    assert event.status == InboundEvent.Status.FAILED and "a bug in the parser" in event.error
    assert json.loads(bytes(event.body)) == FORM


@pytest.mark.parametrize("url", ["/api/v1/conversations/abc/", "/api/v1/conversations/1x/messages/"])
def test_a_non_integer_id_in_the_api_is_404(client, cm, url):
    client.force_login(cm)
    assert client.get(url).status_code == 404
