"""Replies are stored first, sent once, retried when the failure is transient."""

from datetime import timedelta

import pytest
from django.utils import timezone

from channels.connectors.base import ConnectorError
from demo.fakes.connector import FakeConnector
from inbox.models import Conversation, ConversationEvent, Message
from inbox.services import replies
from tests.factories import ConversationFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_conversation(fake_channel):
    conversation = ConversationFactory(channel=fake_channel, kind=Conversation.Kind.PUBLIC, thread_key="post-1")
    InboundMessageFactory(conversation=conversation, external_id="in-1")
    return conversation


def test_reply_is_queued_with_an_idempotency_key_and_claims_the_conversation(fake_conversation, gestor):
    message = replies.reply_create(conversation=fake_conversation, sender=gestor, body="  ¡Hola! Abrimos a las 9.  ")
    assert message.delivery_status == Message.DeliveryStatus.QUEUED
    assert message.body == "¡Hola! Abrimos a las 9."
    assert message.idempotency_key is not None
    fake_conversation.refresh_from_db()
    assert fake_conversation.assignee == gestor
    assert FakeConnector.outbox == []  # nothing leaves before commit


def test_reply_is_sent_after_commit(fake_conversation, gestor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Gracias por escribir.")
    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.SENT
    assert message.external_id == f"fake-out-{message.idempotency_key}"
    [sent] = FakeConnector.outbox
    assert sent.idempotency_key == str(message.idempotency_key)
    assert sent.in_reply_to == "in-1"
    assert sent.thread_key == "post-1"
    conversation = Conversation.objects.get()
    assert conversation.status == Conversation.Status.WAITING
    assert conversation.waiting_since is None
    assert conversation.first_response_at is not None
    assert conversation.events.filter(kind=ConversationEvent.Kind.REPLY_SENT).count() == 1


def test_sending_twice_sends_once(fake_conversation, gestor):
    message = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Una vez.")
    replies.reply_send(message_id=message.pk)
    replies.reply_send(message_id=message.pk)
    assert len(FakeConnector.outbox) == 1


def test_first_response_time_is_kept_on_later_replies(fake_conversation, gestor):
    first = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Primera.")
    replies.reply_send(message_id=first.pk)
    first_response = Conversation.objects.get().first_response_at
    second = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Segunda.")
    replies.reply_send(message_id=second.pk)
    assert Conversation.objects.get().first_response_at == first_response


def test_a_newer_inbound_keeps_the_conversation_waiting_for_us(fake_conversation, gestor):
    message = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Respuesta.")
    later = timezone.now() + timedelta(seconds=1)
    Conversation.objects.filter(pk=fake_conversation.pk).update(last_inbound_at=later, waiting_since=later)
    replies.reply_send(message_id=message.pk)
    conversation = Conversation.objects.get()
    assert conversation.waiting_since == later
    assert conversation.status != Conversation.Status.WAITING


def test_empty_and_too_long_replies_are_refused(fake_conversation, gestor):
    with pytest.raises(replies.ReplyRefused, match="Escribe una respuesta"):
        replies.reply_create(conversation=fake_conversation, sender=gestor, body="   ")
    with pytest.raises(replies.ReplyRefused, match="281 of 280"):
        replies.reply_create(conversation=fake_conversation, sender=gestor, body="x" * 281)
    assert not Message.objects.filter(direction=Message.Direction.OUT).exists()


def test_transient_failure_is_kept_queued_with_backoff_then_sent(fake_conversation, gestor):
    message = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Reintento.")
    FakeConnector.fail_with = ConnectorError("timeout", retry_after=30)
    outcome = replies.reply_send(message_id=message.pk)
    assert outcome.retry_in == 30
    assert outcome.message.delivery_status == Message.DeliveryStatus.QUEUED
    assert outcome.message.delivery_error == "timeout"
    assert outcome.message.next_attempt_at > timezone.now() + timedelta(seconds=25)
    FakeConnector.fail_with = None
    outcome = replies.reply_send(message_id=message.pk)
    assert outcome.message.delivery_status == Message.DeliveryStatus.SENT
    assert outcome.message.attempts == 2
    assert len(FakeConnector.outbox) == 1


def test_backoff_grows_and_attempts_are_bounded(fake_conversation, gestor, settings):
    settings.MOSTRADOR_REPLY_MAX_ATTEMPTS = 3
    message = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Nunca llega.")
    FakeConnector.fail_with = ConnectorError("503")
    waits = [replies.reply_send(message_id=message.pk).retry_in for _ in range(3)]
    assert waits == [5, 10, None]
    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.FAILED
    assert fake_conversation.events.filter(kind=ConversationEvent.Kind.REPLY_FAILED).count() == 1


def test_permanent_failure_fails_at_once_and_a_person_can_retry(fake_conversation, gestor, supervisor):
    message = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Hola.")
    FakeConnector.fail_with = ConnectorError("token revoked", permanent=True)
    outcome = replies.reply_send(message_id=message.pk)
    assert outcome.retry_in is None
    assert outcome.message.delivery_status == Message.DeliveryStatus.FAILED
    assert outcome.message.delivery_error == "token revoked"
    # A failed message is not picked up by a stray task.
    FakeConnector.fail_with = None
    replies.reply_send(message_id=message.pk)
    assert FakeConnector.outbox == []
    replies.reply_retry(message=message, by=supervisor)
    outcome = replies.reply_send(message_id=message.pk)
    assert outcome.message.delivery_status == Message.DeliveryStatus.SENT
    assert len(FakeConnector.outbox) == 1
    assert fake_conversation.events.filter(kind=ConversationEvent.Kind.REPLY_RETRIED, actor=supervisor).exists()


def test_only_failed_replies_can_be_retried(fake_conversation, gestor):
    message = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Hola.")
    with pytest.raises(replies.ReplyRefused):
        replies.reply_retry(message=message, by=gestor)


def test_unexpected_errors_fail_without_retry(fake_conversation, gestor):
    message = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Hola.")
    FakeConnector.fail_with = RuntimeError("bug")  # type: ignore[assignment]
    outcome = replies.reply_send(message_id=message.pk)
    assert outcome.message.delivery_status == Message.DeliveryStatus.FAILED
    assert "RuntimeError" in outcome.message.delivery_error


def test_requeue_dispatches_lost_replies_and_fails_stale_sends(fake_conversation, gestor, monkeypatch):
    lost = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Perdida.")
    stuck = replies.reply_create(conversation=fake_conversation, sender=gestor, body="Atascada.")
    long_ago = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
    Message.objects.filter(pk=stuck.pk).update(delivery_status=Message.DeliveryStatus.SENDING, next_attempt_at=long_ago)
    result = replies.replies_requeue()
    assert result == {"dispatched": 1, "found_sent": 0, "requeued": 0, "failed": 1, "unreachable": 0}
    lost.refresh_from_db()
    stuck.refresh_from_db()
    assert lost.delivery_status == Message.DeliveryStatus.SENT  # eager worker sent it
    assert stuck.delivery_status == Message.DeliveryStatus.FAILED
    assert "la red no puede decir si llegó" in stuck.delivery_error  # Spanish: the default language
    assert [r.body for r in FakeConnector.outbox] == ["Perdida."]


def test_web_reply_is_one_email(conversation, gestor, mailoutbox):
    message = replies.reply_create(conversation=conversation, sender=gestor, body="Le escribimos por correo.")
    replies.reply_send(message_id=message.pk)
    replies.reply_send(message_id=message.pk)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [conversation.contact.email]
