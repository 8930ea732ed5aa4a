"""WhatsApp end to end: signed deliveries on the Meta app webhook, drained into
conversations; replies inside the 24-hour window, templates outside it, through
the fake Cloud API; statuses shown on our replies; media copied with the token."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from channels.models import InboundEvent, UnparsedEntry
from inbox.models import Conversation, ConversationEvent, Message
from inbox.services.replies import ReplyRefused, reply_create, reply_send, template_reply_create
from tests.channels.whatsapp.conftest import PHONE_ID, WABA_ID

pytestmark = pytest.mark.django_db
VARIANTS = Path(__file__).parent / "fixtures" / "variants"


def variant(name: str, **changes) -> dict:
    payload = json.loads((VARIANTS / f"{name}.json").read_text())
    value = payload["entry"][0]["changes"][0]["value"]
    for key, new in changes.items():
        for item in value.get("messages") or value.get("statuses") or []:
            item[key] = new
    return payload


def sends(fake_graph) -> list[dict]:
    return [r for r in fake_graph.requests if r.get("path") == f"{PHONE_ID}/messages"]


def now_ts(hours_ago: float = 0) -> str:
    return str(int((timezone.now() - timedelta(hours=hours_ago)).timestamp()))


def test_a_message_becomes_a_private_conversation_with_the_senders_name(deliver_meta, whatsapp):
    response = deliver_meta(variant("text", timestamp=now_ts()))
    assert response.status_code == 200 and response.json()["items"] == 1
    message = Message.objects.get(external_id="wamid.text1")
    conversation = message.conversation
    assert (conversation.channel, conversation.kind, conversation.thread_key) == (whatsapp, "private", "wa:34600111222")
    assert str(conversation.contact) == "Sheena Nelson" and conversation.contact.handle == "+34600111222"
    assert conversation.waiting_since is not None and conversation.requires_reply
    deliver_meta(variant("text", timestamp=now_ts()))  # re-delivered: nothing new
    assert Message.objects.count() == 1


def test_unknown_numbers_and_bad_messages_are_recorded_never_phantom(deliver_meta, whatsapp):
    other = variant("text")
    other["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    deliver_meta(other)
    refused = InboundEvent.objects.get(status=InboundEvent.Status.REJECTED)
    assert "No active whatsapp channel for account 999" in refused.error
    deliver_meta(variant("unsupported"))
    assert Message.objects.count() == 0
    assert "131051" in UnparsedEntry.objects.get().reason


def test_a_reply_inside_the_window_is_sent_once_and_its_statuses_show(deliver_meta, whatsapp, fake_graph, gestor):
    deliver_meta(variant("text", timestamp=now_ts(1)))
    conversation = Conversation.objects.get()
    reply = reply_create(conversation=conversation, sender=gestor, body="¡Sí! Los domingos también.")
    reply_send(message_id=reply.pk)
    reply_send(message_id=reply.pk)  # a second attempt sends nothing
    assert [r["body"] for r in sends(fake_graph)] == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "34600111222",
            "type": "text",
            "text": {"body": "¡Sí! Los domingos también.", "preview_url": False},
        }
    ]
    reply.refresh_from_db()
    assert reply.delivery_status == "sent" and reply.external_id.startswith("wamid.fake")
    for state in ("delivered", "sent"):  # a late "sent" never moves "delivered" back
        deliver_meta(variant(f"status_{state}", id=reply.external_id))
        reply.refresh_from_db()
        assert reply.network_status == "delivered"
    deliver_meta(variant("status_read", id=reply.external_id))
    reply.refresh_from_db()
    assert reply.network_status == "read" and reply.network_status_at is not None
    page = _page(conversation, gestor)
    assert 'data-network-status="read"' in page and "✓✓" in page
    api = APIClient()
    api.force_authenticate(gestor)
    shown = api.get(f"/api/v1/conversations/{conversation.pk}/").json()["messages"][-1]
    assert (shown["network_status"], shown["external_id"]) == ("read", reply.external_id)


def test_a_failed_status_shows_the_error_and_is_logged(deliver_meta, whatsapp, fake_graph, gestor):
    deliver_meta(variant("text", timestamp=now_ts(1)))
    reply = reply_create(conversation=Conversation.objects.get(), sender=gestor, body="Hola")
    reply_send(message_id=reply.pk)
    reply.refresh_from_db()
    deliver_meta(variant("status_failed", id=reply.external_id))
    reply.refresh_from_db()
    assert reply.network_status == "failed" and reply.network_error.startswith("Re-engagement message (131047)")
    assert ConversationEvent.objects.filter(kind="reply_failed", data__message_id=reply.pk).exists()
    deliver_meta(variant("status_read", id="wamid.not-ours"))  # sent from the phone app: nothing to mark
    assert not Message.objects.filter(network_status="read").exists()


def test_outside_the_window_only_an_approved_template_goes(
    deliver_meta, whatsapp, fake_graph, gestor, client, django_capture_on_commit_callbacks
):
    deliver_meta(variant("text", timestamp=now_ts(30)))
    conversation = Conversation.objects.get()
    with pytest.raises(ReplyRefused, match="plantilla aprobada"):
        reply_create(conversation=conversation, sender=gestor, body="¿Sigues ahí?")
    page = _page(conversation, gestor, client)
    # Approved templates whose only variables are in the body; pending and media-header ones are left out.
    assert 'data-template="seguimiento_consulta"' in page and 'data-template="pedido_listo"' in page
    assert "promo_navidad" not in page and "borrador" not in page
    assert 'name="var-1" value="Sheena"' in page and 'name="var-2" value="Panadería La Espiga"' in page
    listed = [r for r in fake_graph.requests if r.get("path") == f"{WABA_ID}/message_templates"]
    assert listed and listed[0]["query"]["status"] == "APPROVED"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("inbox:reply", args=[conversation.pk]),
            {"template": "seguimiento_consulta|es", "var-1": "Sheena", "var-2": "La Espiga"},
        )
    assert response.status_code == 302
    message = Message.objects.get(direction="out")
    assert message.body == "Hola Sheena, te escribimos de La Espiga sobre tu consulta. ¿Podemos ayudarte en algo más?"
    assert sends(fake_graph)[-1]["body"]["template"] == {
        "name": "seguimiento_consulta",
        "language": {"code": "es"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Sheena"}, {"type": "text", "text": "La Espiga"}]}
        ],
    }
    message.refresh_from_db()
    assert message.delivery_status == "sent" and message.template["name"] == "seguimiento_consulta"
    page = _page(conversation, gestor, client)
    assert 'data-testid="template-chip"' in page


def test_named_templates_and_empty_variables(deliver_meta, whatsapp, fake_graph, gestor):
    deliver_meta(variant("text", timestamp=now_ts(30)))
    conversation = Conversation.objects.get()
    with pytest.raises(ReplyRefused, match="order"):
        template_reply_create(
            conversation=conversation, sender=gestor, name="pedido_listo", language="es", values={"first_name": "Ana"}
        )
    with pytest.raises(ReplyRefused, match="no está aprobada"):
        template_reply_create(conversation=conversation, sender=gestor, name="borrador", language="es", values={})
    message = template_reply_create(
        conversation=conversation,
        sender=gestor,
        name="pedido_listo",
        language="es",
        values={"first_name": "Ana", "order": "R-12"},
    )
    reply_send(message_id=message.pk)
    # Named parameters go by name (jsonb keeps no key order).
    parameters = sends(fake_graph)[-1]["body"]["template"]["components"][0]["parameters"]
    assert sorted(parameters, key=lambda p: p["parameter_name"]) == [
        {"type": "text", "parameter_name": "first_name", "text": "Ana"},
        {"type": "text", "parameter_name": "order", "text": "R-12"},
    ]


def test_media_is_copied_into_storage_with_the_token(deliver_meta, whatsapp, fake_graph, settings, tmp_path):
    settings.MOSTRADOR_COPY_MEDIA = True
    settings.MEDIA_ROOT = tmp_path
    fake_graph.wa_media["4003383421387256"] = {"mime_type": "application/pdf", "content": b"%PDF-1.4 factura"}
    fake_graph.wa_media["1003383421387256"] = {"mime_type": "image/jpeg"}
    deliver_meta(variant("document"))
    deliver_meta(variant("image"))
    document = Message.objects.get(external_id="wamid.document1").attachments[0]
    assert document["stored"].endswith(".pdf")
    with default_storage.open(document["stored"]) as stored:
        assert stored.read() == b"%PDF-1.4 factura"
    assert Message.objects.get(external_id="wamid.image1").attachments[0]["stored"]
    assert any(r.get("path") == "4003383421387256" for r in fake_graph.requests)


def test_the_set_up_form_keeps_the_token_write_only(client, cm, fake_graph):
    client.force_login(cm)
    response = client.post(
        reverse("channels:create") + "?kind=whatsapp",
        {
            "name": "WhatsApp tienda",
            "key": "wa-tienda",
            "external_account_id": "5550001",
            "waba_id": "777",
            "access_token": "secret-token",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from channels.models import Channel

    channel = Channel.objects.get(key="wa-tienda")
    assert channel.credentials == {"waba_id": "777", "access_token": "secret-token"}
    page = client.get(reverse("channels:edit", args=[channel.pk])).content.decode()
    assert "secret-token" not in page and 'value="777"' in page


def _page(conversation, user, client=None) -> str:
    from django.test import Client

    client = client or Client()
    client.force_login(user)
    return client.get(reverse("inbox:detail", args=[conversation.pk])).content.decode()
