"""Every documented WhatsApp Cloud API webhook variant (fixtures/variants/, one file
each, shaped as Meta's "messages" webhook reference documents it, optional fields
missing or null): parsing never raises and each becomes what the README says."""

import json
from pathlib import Path

import pytest

from channels.connectors.base import MalformedPayload
from channels.connectors.whatsapp.connector import WhatsAppConnector
from channels.models import Channel

VARIANTS = Path(__file__).parent / "fixtures" / "variants"

# fixture → ([(kind, change, external_id, body, attachment types)], how many entries are unparsed)
EXPECTED = {
    "text": ([("", "", "wamid.text1", "¿Tenéis pan sin gluten?", ())], 0),
    "text_without_contacts": ([("", "", "wamid.text2", "Hola", ())], 0),
    "text_reply_context": ([("", "", "wamid.text1", "Sí, esa", ())], 0),
    "text_forwarded": ([("", "", "wamid.text1", "Mira esto", ())], 0),
    "text_from_ad": ([("", "", "wamid.text1", "Quiero info", ("link",))], 0),
    "image": ([("", "", "wamid.image1", "Así llegó", ("image",))], 0),
    "image_without_caption": ([("", "", "wamid.image1", "", ("image",))], 0),
    "video": ([("", "", "wamid.video1", "", ("video",))], 0),
    "audio": ([("", "", "wamid.audio1", "", ("audio",))], 0),
    "audio_voice": ([("", "", "wamid.audio1", "", ("audio",))], 0),
    "document": ([("", "", "wamid.document1", "La factura", ("file",))], 0),
    "sticker": ([("", "", "wamid.sticker1", "", ("sticker",))], 0),
    "media_without_id": ([], 1),
    "location": ([("", "", "wamid.location1", "", ("location",))], 0),
    "location_bare": ([("", "", "wamid.location1", "", ("location",))], 0),
    "contacts": ([("", "", "wamid.contacts1", "📇 Pedro Gil · +34 600 333 444 · pedro@example.com", ())], 0),
    "interactive_button_reply": ([("", "", "wamid.interactive1", "Sí, confirmo", ())], 0),
    "interactive_list_reply": ([("", "", "wamid.interactive1", "Recogida en tienda — Calle Mayor 1", ())], 0),
    "button": ([("", "", "wamid.button1", "Confirmar pedido", ())], 0),
    "order": ([("", "", "wamid.order1", "Para el sábado\n1 × roscon-l (18 EUR)", ())], 0),
    "reaction": ([], 0),
    "reaction_removed": ([], 0),
    "system_number_changed": ([], 0),
    "unsupported": ([], 1),
    "unknown_with_errors": ([], 1),
    "unknown_type": ([], 1),
    "status_sent": ([("status", "sent", "wamid.ours1", "", ())], 0),
    "status_sent_bare": ([("status", "sent", "wamid.ours1", "", ())], 0),
    "status_delivered": ([("status", "delivered", "wamid.ours1", "", ())], 0),
    "status_read": ([("status", "read", "wamid.ours1", "", ())], 0),
    "status_failed": (
        [
            (
                "status",
                "failed",
                "wamid.ours1",
                "Re-engagement message (131047): Message failed to send because more than 24 hours have passed "
                "since the customer last replied to this number.",
                (),
            )
        ],
        0,
    ),
    "status_failed_without_details": ([("status", "failed", "wamid.ours1", "Message undeliverable (131026)", ())], 0),
    "status_deleted": ([], 0),
    "status_null_fields": ([("status", "delivered", "wamid.ours1", "", ())], 0),
    "value_errors": ([], 1),
    "template_status_update": ([], 0),
    "two_messages_and_status": ([("", "", "wamid.multi1", "Uno", ()), ("", "", "wamid.multi2", "Dos", ())], 0),
}


def test_every_fixture_has_an_expectation():
    assert {p.stem for p in VARIANTS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_variant(name):
    body = (VARIANTS / f"{name}.json").read_bytes()
    connector = WhatsAppConnector(Channel(kind="whatsapp", external_account_id="106540352242922"))
    report = connector.parse_report(body, source="webhook")
    expected_items, expected_unparsed = EXPECTED[name]
    got = [
        (item.kind, item.change, item.external_id, item.body, tuple(a["type"] for a in item.attachments))
        for item in report.items
    ]
    assert got == expected_items
    assert len(report.unparsed) == expected_unparsed, report.unparsed
    for item in report.items:
        assert item.is_private and item.thread_key.startswith("wa:34600")
        for attachment in item.attachments:
            assert set(attachment) >= {"type", "url", "title", "mime_type"}


def test_senders_are_named_from_the_contacts_and_media_owe_a_private_copy():
    connector = WhatsAppConnector(Channel(kind="whatsapp", external_account_id="106540352242922"))
    image = connector.parse_webhook((VARIANTS / "image.json").read_bytes())[0]
    assert image.author.display_name == "Sheena Nelson"
    assert image.author.handle == "+34600111222"
    assert image.attachments[0]["copy_from"] == "whatsapp-media:1003383421387256"
    assert image.attachments[0]["mime_type"] == "image/jpeg"
    document = connector.parse_webhook((VARIANTS / "document.json").read_bytes())[0]
    assert document.attachments[0]["title"] == "factura.pdf"
    located = connector.parse_webhook((VARIANTS / "location.json").read_bytes())[0].attachments[0]
    assert (located["latitude"], located["longitude"]) == (41.6488, -0.8891)
    assert "41.6488,-0.8891" in located["url"] and located["title"] == "Plaza del Pilar · Zaragoza"
    reply = connector.parse_webhook((VARIANTS / "text_reply_context.json").read_bytes())[0]
    assert reply.in_reply_to == "wamid.ours1"
    nameless = connector.parse_webhook((VARIANTS / "text_without_contacts.json").read_bytes())[0]
    assert nameless.author.display_name == "" and nameless.author.external_id == "34600111222"


@pytest.mark.parametrize("body", [b"", b"[]", b'{"entry": 3}', b"{}", b"not json"])
def test_an_unreadable_body_is_malformed(body):
    connector = WhatsAppConnector(Channel(kind="whatsapp", external_account_id="1"))
    with pytest.raises(MalformedPayload):
        connector.parse_report(body, source="webhook")


def test_routes_split_one_entry_per_phone_number_and_leave_account_updates_out():
    delivery = json.loads((VARIANTS / "text.json").read_text())
    other = json.loads((VARIANTS / "status_read.json").read_text())["entry"][0]["changes"][0]
    other["value"]["metadata"]["phone_number_id"] = "999"
    delivery["entry"][0]["changes"].append(other)
    template = json.loads((VARIANTS / "template_status_update.json").read_text())["entry"][0]
    routes = list(WhatsAppConnector.meta_routes([*delivery["entry"], template]))
    assert [(account, len(part["changes"])) for account, part in routes] == [("106540352242922", 1), ("999", 1)]
    stored = json.dumps({"object": "whatsapp_business_account", "entry": [routes[1][1]]}).encode()
    assert WhatsAppConnector.delivery_account(stored) == "999"
