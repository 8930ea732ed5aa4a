"""Meta: handshake, signatures, every item type from documented payloads, routing, replies through a fake Graph API."""

import copy
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from channels.models import Channel, InboundEvent
from inbox.models import Conversation, ConversationEvent, Message
from inbox.services.moderation import HideRefused, message_hide
from inbox.services.replies import ReplyRefused, reply_create, reply_send
from tests.channels.meta.conftest import IG_ID, PAGE_ID

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_subscription_handshake(client, fake_graph):
    ok = client.get(
        "/webhooks/meta/", {"hub.mode": "subscribe", "hub.verify_token": "meta-verify", "hub.challenge": "1158201444"}
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = client.get("/webhooks/meta/", {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})
    assert wrong.status_code == 403


@pytest.mark.parametrize("signature", ["", "sha256=forged", "sha1=abc"])
def test_unsigned_or_forged_deliveries_are_403_and_recorded(deliver_meta, page, signature):
    response = deliver_meta(fixture("page_feed.json"), signature=signature)
    assert response.status_code == 403
    assert InboundEvent.objects.get().status == InboundEvent.Status.REJECTED
    assert not Message.objects.exists()


def test_page_feed_comments_and_visitor_posts(deliver_meta, page):
    response = deliver_meta(fixture("page_feed.json"))
    assert (
        response.status_code == 200 and response.json()["items"] == 2
    )  # the page's own comment and a like are not items
    comment = Message.objects.get(external_id="fb-comment:222_3331")
    assert comment.conversation.thread_key == f"fb-post:{PAGE_ID}_222" and not comment.conversation.is_private
    assert comment.author_contact.display_name == "Rosa Pérez"
    visitor = Message.objects.get(external_id=f"fb-post:{PAGE_ID}_333")
    assert "duro" in visitor.body


def test_messenger_messages_with_attachments_and_echoes(deliver_meta, page):
    deliver_meta(fixture("messenger.json"))
    message = Message.objects.get()
    assert message.conversation.is_private and message.conversation.thread_key == "fb-user:7216093241750001"
    [attachment] = message.attachments
    assert (attachment["type"], attachment["url"]) == ("image", "https://scontent.xx.fbcdn.net/v/t1.15752-9/foto.jpg")


def test_instagram_comments_and_direct_messages(deliver_meta, instagram):
    deliver_meta(fixture("instagram.json"))
    comment = Message.objects.get(external_id="ig-comment:17865799348089039")
    assert (
        comment.conversation.thread_key == "ig-media:17902000000000001" and comment.author_contact.handle == "@rosa.p"
    )
    dm = Message.objects.get(external_id__startswith="ig-mid:")
    assert dm.conversation.is_private
    assert Message.objects.count() == 2  # the account's own reply is an echo


def test_one_delivery_many_accounts_and_unknown_ones_recorded(deliver_meta, page, fake_graph):
    delivery = fixture("page_feed.json")
    stranger = copy.deepcopy(delivery["entry"][0])
    stranger["id"] = "999999"
    delivery["entry"].append(stranger)
    response = deliver_meta(delivery)
    assert response.status_code == 200
    rejected = InboundEvent.objects.get(status=InboundEvent.Status.REJECTED)
    assert "999999" in rejected.error and json.loads(bytes(rejected.body))["entry"][0]["id"] == "999999"
    assert InboundEvent.objects.filter(channel=page, status=InboundEvent.Status.PROCESSED).count() == 1


def test_duplicates_and_out_of_order_edits_and_removals(deliver_meta, page):
    base = fixture("page_feed.json")
    value = base["entry"][0]["changes"][0]["value"]
    removal = copy.deepcopy(base)
    removal["entry"][0]["changes"] = [{"field": "feed", "value": value | {"verb": "remove", "message": ""}}]
    edit = copy.deepcopy(base)
    edit["entry"][0]["changes"] = [
        {"field": "feed", "value": value | {"verb": "edited", "message": "¿El roscón lleva frutas escarchadas?"}}
    ]
    deliver_meta(edit)  # the edit arrives first
    deliver_meta(base)
    deliver_meta(base)  # a duplicate
    deliver_meta(removal)
    message = Message.objects.get(external_id="fb-comment:222_3331")
    assert message.body == "¿El roscón lleva frutas escarchadas?"
    assert message.removed_at is not None  # shown as removed, the text kept
    assert Message.objects.filter(external_id="fb-comment:222_3331").count() == 1
    assert message.conversation.events.filter(kind=ConversationEvent.Kind.REMOVED).count() == 1


def _comment_conversation(deliver_meta):
    deliver_meta(fixture("page_feed.json"))
    return Message.objects.get(external_id="fb-comment:222_3331").conversation


def test_a_public_reply_answers_the_comment_once(deliver_meta, page, fake_graph, gestor):
    conversation = _comment_conversation(deliver_meta)
    message = reply_create(conversation=conversation, sender=gestor, body="¡Hola Rosa! Sí, lleva fruta.")
    reply_send(message_id=message.pk)
    reply_send(message_id=message.pk)
    assert fake_graph.requests == [{"path": "222_3331/comments", "body": {"message": "¡Hola Rosa! Sí, lleva fruta."}}]


def test_a_private_reply_to_a_public_comment(deliver_meta, page, fake_graph, gestor):
    conversation = _comment_conversation(deliver_meta)
    message = reply_create(conversation=conversation, sender=gestor, body="Te escribimos por privado.", private=True)
    reply_send(message_id=message.pk)
    assert fake_graph.requests == [
        {
            "path": f"{PAGE_ID}/messages",
            "body": {
                "recipient": {"comment_id": "222_3331"},
                "messaging_type": "RESPONSE",
                "message": {"text": "Te escribimos por privado."},
            },
        }
    ]
    message.refresh_from_db()
    assert message.to_private and message.external_id.startswith("fb-mid:")


def test_messenger_reply_and_the_24_hour_window(deliver_meta, page, fake_graph, gestor):
    deliver_meta(fixture("messenger.json"))
    conversation = Conversation.objects.get(kind="private")
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=timezone.now() - timedelta(hours=2))
    conversation.refresh_from_db()
    reply_send(message_id=reply_create(conversation=conversation, sender=gestor, body="¡Sí, hacemos envíos!").pk)
    assert fake_graph.requests[-1]["body"]["recipient"] == {"id": "7216093241750001"}
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=timezone.now() - timedelta(hours=25))
    conversation.refresh_from_db()
    with pytest.raises(ReplyRefused, match="24 h"):
        reply_create(conversation=conversation, sender=gestor, body="¿Sigues ahí?")
    assert len([r for r in fake_graph.requests if "body" in r]) == 1  # the other request read the profile


def test_instagram_replies(deliver_meta, instagram, fake_graph, gestor):
    deliver_meta(fixture("instagram.json"))
    comment = Message.objects.get(external_id="ig-comment:17865799348089039").conversation
    reply_send(message_id=reply_create(conversation=comment, sender=gestor, body="¡25 €!").pk)
    dm = Conversation.objects.get(channel=instagram, kind="private")
    Conversation.objects.filter(pk=dm.pk).update(last_inbound_at=timezone.now())
    dm.refresh_from_db()
    reply_send(message_id=reply_create(conversation=dm, sender=gestor, body="Cerramos ese día.").pk)
    sent = [r["path"] for r in fake_graph.requests if "body" in r]  # profile reads have no body
    assert sent == ["17865799348089039/replies", f"{IG_ID}/messages"]


def test_rate_limits_are_retried_and_an_expired_token_disables_the_channel(deliver_meta, page, fake_graph, gestor, cm):
    conversation = _comment_conversation(deliver_meta)
    fake_graph.rate_limited = True
    message = reply_create(conversation=conversation, sender=gestor, body="Hola")
    outcome = reply_send(message_id=message.pk)
    assert outcome.retry_in >= 12 * 60  # Meta's estimated_time_to_regain_access
    assert Message.objects.get(pk=message.pk).delivery_status == "queued"  # kept, not lost
    fake_graph.rate_limited, fake_graph.token_expired = False, True
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    reply_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.delivery_status == "failed" and "190" in message.delivery_error
    page.refresh_from_db()
    assert not page.active and "190" in page.last_error
    from core.models import Alert

    assert Alert.objects.get(recipient=cm, kind="channel").text.startswith("Facebook La Espiga")


def test_hide_never_delete(deliver_meta, page, fake_graph, supervisor):
    _comment_conversation(deliver_meta)
    comment = Message.objects.get(external_id="fb-comment:222_3331")
    with pytest.raises(HideRefused):
        message_hide(message=comment, by=supervisor, reason="")
    message_hide(message=comment, by=supervisor, reason="Insultos a una empleada")
    comment.refresh_from_db()
    assert comment.hidden_by == supervisor and comment.hidden_reason == "Insultos a una empleada"
    assert fake_graph.requests == [{"path": "222_3331", "body": {"is_hidden": True}}]
    assert Message.objects.filter(pk=comment.pk).exists()
    assert Channel.objects.get(pk=page.pk).active


def test_polling_backfills_what_the_webhook_missed_without_duplicates(deliver_meta, page, fake_graph):
    from tests.channels.x.conftest import poll

    deliver_meta(fixture("page_feed.json"))  # the comment 222_3331 arrived by webhook
    fake_graph.feed = [
        {
            "id": f"{PAGE_ID}_222",
            "message": "Roscones de Reyes ya a la venta",
            "from": {"id": PAGE_ID, "name": "Panadería La Espiga"},
            "created_time": "2026-11-24T09:00:00+0000",
            "comments": {
                "data": [
                    {
                        "id": "222_3331",
                        "message": "¿El roscón lleva frutas? Mi hijo es alérgico",
                        "from": {"id": "6098371226947001", "name": "Rosa Pérez"},
                        "created_time": "2026-11-24T09:41:00+0000",
                    },
                    {
                        "id": "222_3339",
                        "message": "¿Tenéis sin gluten?",
                        "from": {"id": "6098371226947009", "name": "Ana"},
                        "created_time": "2026-11-24T10:05:00+0000",
                    },
                ]
            },
        }
    ]
    fake_graph.conversations = [
        {
            "id": "t_1",
            "messages": {
                "data": [
                    {
                        "id": "m_missed",
                        "message": "¿Abrís mañana?",
                        "from": {"id": "7216093241750009", "name": "Luis"},
                        "created_time": "2026-11-24T10:10:00+0000",
                    }
                ]
            },
        }
    ]
    outcome = poll(page, force=False)
    assert outcome.status == "polled"
    assert Message.objects.filter(external_id="fb-comment:222_3331").count() == 1  # no duplicate
    assert Message.objects.get(external_id="fb-comment:222_3339").conversation.thread_key == f"fb-post:{PAGE_ID}_222"
    assert Message.objects.get(external_id="fb-mid:m_missed").conversation.is_private
    page.refresh_from_db()
    assert int(page.poll_cursor) > 0


def test_instagram_backfill(deliver_meta, instagram, fake_graph):
    from tests.channels.x.conftest import poll

    deliver_meta(fixture("instagram.json"))
    fake_graph.media = [
        {
            "id": "17902000000000001",
            "comments": {
                "data": [
                    {
                        "id": "17865799348089039",
                        "text": "¡Qué pinta! ¿Cuánto cuesta la tarta?",
                        "from": {"id": "232323232", "username": "rosa.p"},
                        "timestamp": "2026-11-24T09:41:00+0000",
                    },
                    {
                        "id": "17865799348089099",
                        "text": "¿Hacéis tartas veganas?",
                        "from": {"id": "454545", "username": "vega.n"},
                        "timestamp": "2026-11-24T10:00:00+0000",
                    },
                ]
            },
        }
    ]
    assert poll(instagram, force=False).status == "polled"
    assert Message.objects.filter(external_id="ig-comment:17865799348089039").count() == 1
    assert (
        Message.objects.get(external_id="ig-comment:17865799348089099").conversation.thread_key
        == "ig-media:17902000000000001"
    )
