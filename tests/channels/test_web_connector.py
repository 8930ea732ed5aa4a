"""The web channel: signature checks and parsing of the contact form."""

import json

import pytest

from channels.connectors.base import MalformedPayload, WebhookRejected, WebhookRequest
from channels.connectors.web.connector import WebConnector
from channels.models import Channel
from tests.conftest import sign

SECRET = "web-secret"


@pytest.fixture
def connector():
    return WebConnector(Channel(kind="web", name="Web", key="w", credentials={"secret": SECRET}))


def body(**fields):
    payload = {"name": "Ana Pérez", "email": "ana@example.com", "subject": "Tartas", "message": "¿Hacéis tartas?"}
    payload.update(fields)
    return json.dumps(payload).encode()


def test_valid_signature_passes(connector):
    raw = body()
    connector.verify_webhook(WebhookRequest(raw, {"X-Mostrador-Signature": sign(SECRET, raw)}))


def test_header_name_is_case_insensitive(connector):
    raw = body()
    connector.verify_webhook(WebhookRequest(raw, {"x-mostrador-signature": sign(SECRET, raw)}))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha1=" + "0" * 40,
        sign("another-secret", body()),
        sign(SECRET, body(message="otra cosa")),
    ],
    ids=["missing", "empty", "no-digest", "wrong-algorithm", "wrong-secret", "other-body"],
)
def test_bad_signatures_are_rejected(connector, header):
    headers = {} if header is None else {"X-Mostrador-Signature": header}
    with pytest.raises(WebhookRejected):
        connector.verify_webhook(WebhookRequest(body(), headers))


def test_channel_without_secret_rejects_everything():
    connector = WebConnector(Channel(kind="web", name="Web", key="w", credentials={}))
    raw = body()
    with pytest.raises(WebhookRejected):
        connector.verify_webhook(WebhookRequest(raw, {"X-Mostrador-Signature": sign("", raw)}))


def test_parse_normalizes_one_private_item(connector):
    [item] = connector.parse_webhook(body(email=" Ana@Example.COM ", external_id="form-77"))
    assert item.external_id == "form-77"
    assert item.is_private is True
    assert item.thread_key == "email:ana@example.com"
    assert item.author.email == "ana@example.com"
    assert item.author.display_name == "Ana Pérez"
    assert item.subject == "Tartas"
    assert item.body == "¿Hacéis tartas?"
    assert item.created_at is None  # stamped with the time Mostrador received it


def test_without_external_id_the_content_identifies_the_submission(connector):
    [first] = connector.parse_webhook(body())
    [again] = connector.parse_webhook(body())
    [other] = connector.parse_webhook(body(message="Y sin gluten?"))
    assert first.external_id == again.external_id
    assert first.external_id.startswith("sha256:")
    assert other.external_id != first.external_id


def test_name_defaults_to_email(connector):
    [item] = connector.parse_webhook(body(name=""))
    assert item.author.display_name == "ana@example.com"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (body(email=""), "email is required"),
        (body(email="no-es-un-correo"), "email is not a valid e-mail address"),
        (body(message="   "), "message is required"),
        (body(message=5), "message must be a string"),
        (body(subject="x" * 301), "subject at most 300 characters"),
    ],
)
def test_malformed_payloads_say_why(connector, raw, reason):
    with pytest.raises(MalformedPayload, match=reason):
        connector.parse_webhook(raw)


def test_reply_goes_out_by_email_with_stable_message_id(connector, mailoutbox):
    from channels.connectors.base import ContactRef, OutboundReply

    reply = OutboundReply(
        idempotency_key="1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        body="Sí, por encargo.",
        thread_key="email:ana@example.com",
        is_private=True,
        recipient=ContactRef(external_id="ana@example.com", email="ana@example.com"),
        subject="Tartas",
    )
    receipt = connector.send_reply(reply)
    [mail] = mailoutbox
    assert mail.to == ["ana@example.com"]
    assert mail.subject == "Re: Tartas"
    assert mail.body == "Sí, por encargo."
    assert mail.extra_headers["Message-ID"] == receipt.external_id
    assert "1b4e28ba-2fa1-11d2-883f-0016d3cca427" in receipt.external_id
