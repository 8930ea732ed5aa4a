"""Pages of the inbox, per role: who may read, reply, assign; filters work."""

import pytest
from django.urls import reverse

from channels.connectors.base import ConnectorError
from demo.fakes.connector import FakeConnector
from inbox.models import Conversation, Message
from tests.factories import ConversationFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_anonymous_is_sent_to_login(client, conversation):
    for url in (reverse("inbox:list"), reverse("inbox:detail", args=[conversation.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_outsider_gets_403_everywhere(login, outsider, conversation):
    client = login(outsider)
    message = conversation.messages.get()
    assert client.get(reverse("inbox:list")).status_code == 403
    assert client.get(reverse("inbox:detail", args=[conversation.pk])).status_code == 403
    assert client.get(reverse("channels:list")).status_code == 403
    for name in ("inbox:reply", "inbox:note", "inbox:assign", "inbox:resolve"):
        assert client.post(reverse(name, args=[conversation.pk]), {"body": "x"}).status_code == 403, name
    assert client.post(reverse("inbox:retry", args=[message.pk])).status_code == 403
    assert not Message.objects.filter(direction=Message.Direction.OUT).exists()


@pytest.mark.parametrize("persona", ["gestor", "supervisor", "cm", "owner"])
def test_every_role_reads_the_inbox(request, login, persona, conversation):
    client = login(request.getfixturevalue(persona))
    page = client.get(reverse("inbox:list"))
    assert page.status_code == 200
    assert conversation.contact.display_name in page.content.decode()
    assert client.get(reverse("inbox:detail", args=[conversation.pk])).status_code == 200


def test_owner_reads_but_cannot_reply_or_assign(login, owner, gestor, conversation):
    client = login(owner)
    detail = client.get(reverse("inbox:detail", args=[conversation.pk])).content.decode()
    assert 'name="body"' not in detail
    assert client.post(reverse("inbox:reply", args=[conversation.pk]), {"body": "Hola"}).status_code == 403
    assert client.post(reverse("inbox:assign", args=[conversation.pk]), {"assignee": gestor.pk}).status_code == 403
    assert not Message.objects.filter(direction=Message.Direction.OUT).exists()


def test_gestor_replies_and_the_reply_is_sent(
    login, gestor, conversation, mailoutbox, django_capture_on_commit_callbacks
):
    client = login(gestor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("inbox:reply", args=[conversation.pk]), {"body": "Buenos días, Ana."})
    assert response.status_code == 302
    reply = Message.objects.get(direction=Message.Direction.OUT)
    assert reply.sender == gestor
    assert reply.delivery_status == Message.DeliveryStatus.SENT
    assert len(mailoutbox) == 1
    page = client.get(reverse("inbox:detail", args=[conversation.pk])).content.decode()
    assert "Buenos días, Ana." in page
    assert 'data-delivery="sent"' in page


def test_refused_reply_is_shown_and_nothing_stored(login, gestor, fake_channel):
    conversation = ConversationFactory(channel=fake_channel, thread_key="p")
    InboundMessageFactory(conversation=conversation)
    client = login(gestor)
    response = client.post(reverse("inbox:reply", args=[conversation.pk]), {"body": "x" * 281})
    assert response.status_code == 422
    assert "281 of 280" in response.content.decode()
    assert not Message.objects.filter(direction=Message.Direction.OUT).exists()


def test_gestor_cannot_assign_but_supervisor_can(login, gestor, gestor2, supervisor, conversation):
    assert (
        login(gestor).post(reverse("inbox:assign", args=[conversation.pk]), {"assignee": gestor2.pk}).status_code == 403
    )
    response = login(supervisor).post(reverse("inbox:assign", args=[conversation.pk]), {"assignee": gestor2.pk})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.assignee == gestor2
    assert conversation.events.filter(kind="assigned", actor=supervisor).exists()


def test_resolve_and_reopen(login, gestor, conversation):
    client = login(gestor)
    client.post(reverse("inbox:resolve", args=[conversation.pk]))
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED
    client.post(reverse("inbox:reopen", args=[conversation.pk]))
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN


def test_notes_are_internal(login, gestor, conversation, mailoutbox):
    login(gestor).post(reverse("inbox:note", args=[conversation.pk]), {"body": "Cliente habitual."})
    note = Message.objects.get(direction=Message.Direction.NOTE)
    assert note.body == "Cliente habitual."
    assert note.delivery_status == ""
    assert mailoutbox == []


def test_failed_reply_shows_error_and_can_be_retried(login, gestor, fake_channel, django_capture_on_commit_callbacks):
    conversation = ConversationFactory(channel=fake_channel, thread_key="p")
    InboundMessageFactory(conversation=conversation)
    client = login(gestor)
    FakeConnector.fail_with = ConnectorError("Token caducado", permanent=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inbox:reply", args=[conversation.pk]), {"body": "Hola"})
    reply = Message.objects.get(direction=Message.Direction.OUT)
    assert reply.delivery_status == Message.DeliveryStatus.FAILED
    page = client.get(reverse("inbox:detail", args=[conversation.pk])).content.decode()
    assert "Token caducado" in page
    assert reverse("inbox:retry", args=[reply.pk]) in page
    FakeConnector.fail_with = None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inbox:retry", args=[reply.pk]))
    reply.refresh_from_db()
    assert reply.delivery_status == Message.DeliveryStatus.SENT
    assert len(FakeConnector.outbox) == 1


def test_filters_status_scope_channel_and_search(login, gestor, web_channel, fake_channel):
    mine = ConversationFactory(channel=web_channel, assignee=gestor, subject="Tarta de boda")
    InboundMessageFactory(conversation=mine, body="Quiero una tarta de tres pisos")
    other = ConversationFactory(channel=fake_channel, thread_key="x1", subject="Forfait")
    InboundMessageFactory(conversation=other, body="¿Precio del forfait?")
    done = ConversationFactory(channel=web_channel, status=Conversation.Status.RESOLVED, subject="Asunto ya cerrado")
    client = login(gestor)

    def shown(**params):
        html = client.get(reverse("inbox:list"), params).content.decode()
        return {c.subject for c in (mine, other, done) if c.subject in html}

    assert shown() == {"Tarta de boda", "Forfait"}
    assert shown(status="resolved") == {"Asunto ya cerrado"}
    assert shown(scope="mine") == {"Tarta de boda"}
    assert shown(scope="unassigned") == {"Forfait"}
    assert shown(channel=fake_channel.pk) == {"Forfait"}
    assert shown(q="tres pisos") == {"Tarta de boda"}
    assert shown(q=other.contact.display_name) == {"Forfait"}


def test_oldest_waiting_comes_first(login, gestor, web_channel):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    recent = ConversationFactory(channel=web_channel, subject="Reciente", waiting_since=now - timedelta(minutes=5))
    old = ConversationFactory(channel=web_channel, subject="Antigua", waiting_since=now - timedelta(days=2))
    html = login(gestor).get(reverse("inbox:list")).content.decode()
    assert html.index(old.subject) < html.index(recent.subject)


def test_spanish_by_default_and_english_on_request(login, gestor, conversation):
    client = login(gestor)
    assert "Bandeja de entrada" in client.get(reverse("inbox:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert ">Inbox<" in client.get(reverse("inbox:list")).content.decode()
