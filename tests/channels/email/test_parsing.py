"""Raw RFC 5322 fixtures (fixtures/*.eml) → what the README's "E-mail inbox" section says."""

from pathlib import Path

import pytest

from channels.connectors.email.parsing import html_to_text, message_item, part_bytes

FIXTURES = Path(__file__).parent / "fixtures"

# fixture → (external id, thread key, sender, name, subject, body, attachment types, needs_reply, in_reply_to)
EXPECTED = {
    "plain": (
        "<plain-1@example.com>",
        "email-thread:<plain-1@example.com>",
        "ana@example.com",
        "Ana López",
        "Pan sin gluten",
        "¿Tenéis pan sin gluten el domingo?\n\nGracias,\nAna",
        (),
        None,
        "",
    ),
    "html_only": (
        "<html-1@example.com>",
        "email-thread:<html-1@example.com>",
        "luis@example.com",
        "Luis",
        "Pedido",
        "Hola,\n\nquiero dos barras & un roscón.\n\nLuis",
        (),
        None,
        "",
    ),
    "multipart_attachment": (
        "<attach-1@example.com>",
        "email-thread:<attach-1@example.com>",
        "rosa@example.com",
        "Rosa",
        "Factura y foto",
        "Os adjunto la factura y una foto del pedido.",
        ("file", "image"),
        None,
        "",
    ),
    "thread_1": (
        "<thread-1@novios.example>",
        "email-thread:<thread-1@novios.example>",
        "marta@novios.example",
        "Marta Gil",
        "Tarta para la boda",
        "¿Hacéis tartas de tres pisos?",
        (),
        None,
        "",
    ),
    "thread_2": (
        "<thread-2@novios.example>",
        "email-thread:<thread-1@novios.example>",
        "marta@novios.example",
        "Marta Gil",
        "Re: Tarta para la boda",
        "Un invitado es celíaco.",
        (),
        None,
        "<thread-1@novios.example>",
    ),
    "thread_3_in_reply_to_only": (
        "<thread-3@novios.example>",
        "email-thread:<thread-2@novios.example>",
        "marta@novios.example",
        "Marta Gil",
        "Re: Tarta para la boda",
        "¿Podemos probar sabores el sábado?",
        (),
        None,
        "<thread-2@novios.example>",
    ),
    "auto_reply": (
        "<ooo-1@harinas.example>",
        "email-thread:<ooo-1@harinas.example>",
        "pedidos@harinas.example",
        "Proveedor",
        "Automatic reply: Pedido semanal",
        "Estoy fuera de la oficina hasta el lunes.",
        (),
        False,
        "",
    ),
    "precedence_bulk": (
        "<bulk-1@shop.example>",
        "email-thread:<bulk-1@shop.example>",
        "news@shop.example",
        "Newsletter",
        "Ofertas de la semana",
        "Ofertas.",
        (),
        False,
        "",
    ),
    "vacation_subject": (
        "<ooo-2@example.com>",
        "email-thread:<ooo-2@example.com>",
        "pepe@example.com",
        "Pepe",
        "Fuera de la oficina",
        "Vuelvo el lunes.",
        (),
        False,
        "",
    ),
    "latin1_encoded_words": (
        "<latin1-1@example.es>",
        "email-thread:<latin1-1@example.es>",
        "jose@example.es",
        "José Muñoz",
        "¿Hacéis envíos?",
        "¿Hacéis envíos a Huesca? Gracias, José",
        (),
        None,
        "",
    ),
    "unknown_charset_no_date": (
        "<badcharset-1@example.com>",
        "email-thread:<badcharset-1@example.com>",
        "kai@example.com",
        "Kai",
        "Hi",
        "Hello \ufffd",
        (),
        None,
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name):
    item = message_item((FIXTURES / f"{name}.eml").read_bytes(), source="7:42")
    external_id, thread, sender, display, subject, body, kinds, needs_reply, parent = EXPECTED[name]
    assert (item.external_id, item.thread_key) == (external_id, thread)
    assert (item.author.external_id, item.author.email, item.author.display_name) == (sender, sender, display)
    assert (item.subject, item.body) == (subject, body)
    assert tuple(a["type"] for a in item.attachments) == kinds
    assert item.needs_reply is needs_reply
    assert item.in_reply_to == parent
    assert item.thread_pending == (name in ("thread_3_in_reply_to_only",))
    assert item.is_private


def test_dates_are_aware_and_missing_ones_mean_when_received():
    item = message_item((FIXTURES / "plain.eml").read_bytes(), source="")
    assert item.created_at is not None and item.created_at.utcoffset().total_seconds() == 3600
    assert message_item((FIXTURES / "unknown_charset_no_date.eml").read_bytes(), source="").created_at is None


def test_a_bounce_is_not_a_customer_and_is_filed_under_the_message_that_bounced():
    item = message_item((FIXTURES / "dsn_bounce.eml").read_bytes(), source="7:9")
    assert item.needs_reply is False
    assert item.in_reply_to == "<reply-key@laespiga.example>" and item.thread_pending
    assert "could not be delivered to jorge@nadie.example" in item.body
    assert "jorge@nadie.example · 5.1.1 · smtp; 550 5.1.1 User unknown" in item.body
    assert item.author.email == "mailer-daemon@mail.laespiga.example"


def test_attachments_are_located_in_the_mailbox_and_their_bytes_come_back():
    raw = (FIXTURES / "multipart_attachment.eml").read_bytes()
    item = message_item(raw, source="7:42")
    pdf, picture = item.attachments
    assert (pdf["title"], pdf["mime_type"]) == ("factura.pdf", "application/pdf")
    assert pdf["copy_from"].startswith("email-part:7:42:") and picture["mime_type"] == "image/png"
    index = int(pdf["copy_from"].rsplit(":", 1)[1])
    assert part_bytes(raw, index) == (b"%PDF-1.4 factura 123", "application/pdf")


def test_the_mailbox_own_messages_are_skipped():
    raw = (FIXTURES / "plain.eml").read_bytes()
    assert message_item(raw, source="", own_address="ana@example.com") is None


def test_html_is_turned_into_text_safely():
    assert html_to_text("<p>a<script>b</script><style>c</style>&lt;d&gt;</p>").strip() == "a<d>"
