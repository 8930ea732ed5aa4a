import pytest

from inbox.models import Conversation, Message
from inbox.services import ingest, replies

pytestmark = pytest.mark.django_db


def test_signed_form_lands_and_reply_is_mailed(web_channel, post_webhook, gestor, mailoutbox):
    payload = {
        "external_id": "f-1",
        "name": "Ana",
        "email": "Ana@Example.com",
        "subject": "Pan sin gluten",
        "message": "¿Tenéis pan sin gluten?",
    }
    response = post_webhook(web_channel, payload)
    assert response.status_code == 202, response.content
    assert ingest.inbound_events_drain() == 1
    conversation = Conversation.objects.get()
    assert conversation.contact.email == "ana@example.com"
    message = replies.reply_create(conversation=conversation, sender=gestor, body="Sí, los martes.")
    outcome = replies.reply_send(message_id=message.pk)
    assert outcome.message.delivery_status == Message.DeliveryStatus.SENT
    assert mailoutbox[0].to == ["ana@example.com"]
