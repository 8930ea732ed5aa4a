"""The web channel: signature checks and parsing of the contact form."""

import json
import re

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


def _reply(key="1b4e28ba-2fa1-11d2-883f-0016d3cca427", **fields):
    from channels.connectors.base import ContactRef, OutboundReply

    return OutboundReply(
        idempotency_key=key,
        body="Sí, por encargo.",
        thread_key="email:ana@example.com",
        is_private=True,
        recipient=ContactRef(external_id="ana@example.com", email="ana@example.com"),
        subject="Tartas",
        **fields,
    )


def test_a_resent_reply_is_recognisably_the_same_email(connector, mailoutbox, settings):
    settings.DEFAULT_FROM_EMAIL = "Panadería Sol <hola@panaderiasol.es>"
    first = connector.send_reply(_reply())
    again = connector.send_reply(_reply())
    other = connector.send_reply(_reply(key="9f0c1d2e-0000-4000-8000-000000000001"))
    headers = [mail.message()["Message-ID"] for mail in mailoutbox]
    assert headers[0] == headers[1] == first.external_id == again.external_id
    assert first.external_id == "<1b4e28ba-2fa1-11d2-883f-0016d3cca427@panaderiasol.es>"
    assert headers[2] == other.external_id != first.external_id
    assert "In-Reply-To" not in mailoutbox[0].message()


@pytest.mark.parametrize(
    ("credentials", "default_from", "domain"),
    [
        ({"from_email": "Web <web@tienda.example>"}, "no-reply@mostrador.local", "tienda.example"),
        ({}, "Mostrador <no-reply@MOSTRADOR.example>", "mostrador.example"),
        ({}, "sin-dominio", "mostrador.local"),
        ({}, "x@dominio_malo.es", "mostrador.local"),
        ({}, "Ñ <hola@panadería.es>", "xn--panadera-i2a.es"),
    ],
)
def test_the_message_id_domain_is_the_sender_s(mailoutbox, settings, credentials, default_from, domain):
    settings.DEFAULT_FROM_EMAIL = default_from
    connector = WebConnector(Channel(kind="web", name="Web", key="w", credentials={"secret": SECRET, **credentials}))
    receipt = connector.send_reply(_reply(key="k-1"))
    assert receipt.external_id == f"<k-1@{domain}>"


def test_an_odd_idempotency_key_still_gives_a_valid_stable_message_id(connector, mailoutbox):
    first = connector.send_reply(_reply(key="a key with spaces\r\nBcc: x@y"))
    again = connector.send_reply(_reply(key="a key with spaces\r\nBcc: x@y"))
    assert first == again
    assert re.fullmatch(r"<[0-9a-f]{64}@mostrador\.local>", first.external_id)


def test_a_reply_to_an_email_threads_under_it(connector, mailoutbox):
    connector.send_reply(_reply(in_reply_to="<CAF=abc.123@mail.example.com>"))
    connector.send_reply(_reply(in_reply_to="sha256:0123abcd"))  # a form submission: nothing to thread under
    threaded, plain = (mail.message() for mail in mailoutbox)
    assert threaded["In-Reply-To"] == threaded["References"] == "<CAF=abc.123@mail.example.com>"
    assert plain["In-Reply-To"] is None and plain["References"] is None
