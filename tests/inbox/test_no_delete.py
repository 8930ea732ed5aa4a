"""Never delete a user's criticism: not in the models, the admin, or the database."""

import pytest
from django.db import IntegrityError, connection, transaction

from inbox.models import Contact, Conversation, InboundDeletionForbidden, Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_message_delete_is_refused(conversation):
    message = conversation.messages.get()
    with pytest.raises(InboundDeletionForbidden):
        message.delete()
    assert Message.objects.filter(pk=message.pk).exists()


@pytest.mark.parametrize("model", [Message, Conversation, Contact])
def test_bulk_delete_is_refused(conversation, model):
    with pytest.raises(InboundDeletionForbidden):
        model.objects.all().delete()
    assert model.objects.exists()


def test_conversation_and_contact_delete_are_refused(conversation):
    with pytest.raises(InboundDeletionForbidden):
        conversation.delete()
    with pytest.raises(InboundDeletionForbidden):
        conversation.contact.delete()


def test_channel_with_conversations_cannot_be_deleted(conversation):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        conversation.channel.delete()


def test_database_refuses_raw_delete_of_inbound(conversation):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    refused = pytest.raises(IntegrityError, match="never deletes what users wrote")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM inbox_message WHERE direction = 'in'")
    assert Message.objects.filter(direction="in").count() == 1


def test_database_refuses_raw_delete_of_conversations(conversation):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM inbox_conversation")


def test_admin_offers_no_delete(client, conversation):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    message = conversation.messages.get()
    for url in (
        f"/admin/inbox/message/{message.pk}/delete/",
        f"/admin/inbox/conversation/{conversation.pk}/delete/",
        f"/admin/inbox/contact/{conversation.contact.pk}/delete/",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"post": "yes"}).status_code == 403, url
    changelist = client.get("/admin/inbox/message/")
    assert b"delete_selected" not in changelist.content
    assert Message.objects.filter(pk=message.pk).exists()
