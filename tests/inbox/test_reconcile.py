"""A reply left in "sending" by a dead worker is reconciled with the network
before anyone is offered Retry (hardening item 7)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from channels.connectors.registry import connector_for
from inbox.models import Message
from inbox.services import replies

pytestmark = pytest.mark.django_db


def _stuck(conversation, gestor, body: str, *, reached_the_network: bool) -> Message:
    """A reply whose worker died during the send: maybe after the network took it."""
    message = replies.reply_create(conversation=conversation, sender=gestor, body=body)
    if reached_the_network:
        outbound = replies._outbound(message)
        connector_for(conversation.channel).send_reply(outbound)
    started = timezone.now() - timedelta(minutes=5)
    Message.objects.filter(pk=message.pk).update(
        delivery_status=Message.DeliveryStatus.SENDING, next_attempt_at=started, attempts=1
    )
    return message


def _x_public(x_channel, fake_x):
    from tests.channels.x.conftest import poll

    fake_x.mention("rosa_p", "Rosa", "@laespiga ¿abrís el domingo?")
    poll(x_channel)
    return x_channel.conversations.get()


def test_x_a_reply_that_reached_the_network_is_recorded_sent_not_sent_again(x_channel, fake_x, gestor):
    conversation = _x_public(x_channel, fake_x)
    message = _stuck(conversation, gestor, "¡Sí, de 9 a 14! https://laespiga.example/horario", reached_the_network=True)
    assert replies.replies_requeue()["found_sent"] == 1
    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.SENT
    assert message.external_id == f"tweet:{fake_x.own_tweets[-1]['id']}"
    assert len(fake_x.own_tweets) == 1  # never sent twice


def test_x_a_reply_that_never_left_goes_out_once(x_channel, fake_x, gestor, django_capture_on_commit_callbacks):
    conversation = _x_public(x_channel, fake_x)
    message = _stuck(conversation, gestor, "¡Sí, de 9 a 14!", reached_the_network=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert replies.replies_requeue()["requeued"] == 1
    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.SENT  # the eager worker sent it
    assert [t["text"] for t in fake_x.own_tweets] == ["¡Sí, de 9 a 14!"]


def test_x_a_dm_that_reached_the_network_is_found(x_channel, fake_x, gestor):
    from tests.channels.x.conftest import poll

    fake_x.dm("rosa_p", "Rosa", "¿Me guardáis dos barras?")
    poll(x_channel)
    conversation = x_channel.conversations.get(kind="private")
    message = _stuck(conversation, gestor, "¡Claro! Te las apartamos.", reached_the_network=True)
    assert replies.replies_requeue()["found_sent"] == 1
    assert len(fake_x.own_dm_events) == 1
    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.SENT


def test_meta_a_comment_reply_that_reached_the_network_is_found(deliver_meta, page, fake_graph, gestor):
    from tests.channels.meta.test_meta import _comment_conversation

    conversation = _comment_conversation(deliver_meta)
    message = _stuck(conversation, gestor, "¡Hola Rosa! Sí, lleva fruta.", reached_the_network=True)
    assert replies.replies_requeue()["found_sent"] == 1
    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.SENT and message.external_id.startswith("fb-comment:")
    assert len([r for r in fake_graph.requests if r.get("path", "").endswith("/comments") and "body" in r]) == 1


def test_meta_a_private_reply_to_a_comment_cannot_be_checked_so_a_person_decides(
    deliver_meta, page, fake_graph, gestor
):
    from tests.channels.meta.test_meta import _comment_conversation

    conversation = _comment_conversation(deliver_meta)
    message = replies.reply_create(conversation=conversation, sender=gestor, body="Por privado.", private=True)
    Message.objects.filter(pk=message.pk).update(
        delivery_status=Message.DeliveryStatus.SENDING, next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    assert replies.replies_requeue()["failed"] == 1
    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.FAILED and "no puede decir" in message.delivery_error


def test_an_email_reply_is_sent_again_with_the_same_message_id(
    conversation, gestor, mailoutbox, django_capture_on_commit_callbacks
):
    message = _stuck(conversation, gestor, "Le escribimos por correo.", reached_the_network=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert replies.replies_requeue()["requeued"] == 1
    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.SENT
    assert len(mailoutbox) == 2
    assert mailoutbox[0].extra_headers["Message-ID"] == mailoutbox[1].extra_headers["Message-ID"]


def test_a_network_that_cannot_be_asked_now_is_asked_again_later(x_channel, fake_x, gestor):
    conversation = _x_public(x_channel, fake_x)
    message = _stuck(conversation, gestor, "Hola", reached_the_network=False)
    fake_x.rate_limited_until = timezone.now().timestamp() + 600
    assert replies.replies_requeue()["unreachable"] == 1
    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.SENDING
