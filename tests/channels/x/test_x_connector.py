"""The X connector against documented payloads and a local fake X API."""

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

import pytest
from django.utils import timezone

from channels.connectors.registry import connector_for
from channels.models import Channel, InboundEvent
from inbox.models import Conversation, Message
from inbox.services.replies import ReplyRefused, reply_create, reply_send
from tests.channels.x.conftest import poll

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_mentions_map_to_public_threads_by_conversation_id(x_channel):
    items = connector_for(x_channel).parse_poll(
        json.dumps({"mentions": [fixture("mentions_page.json")], "dms": []}).encode()
    )
    assert [i.external_id for i in items] == ["tweet:1460323737035677698", "tweet:1460310000000000000"]
    reply = items[1]
    assert reply.thread_key == "x-thread:1460300000000000000" and not reply.is_private
    assert reply.author.handle == "@jmartin" and reply.author.profile_url == "https://x.com/jmartin"


def test_direct_messages_are_private_and_the_account_s_own_are_skipped(x_channel):
    items = connector_for(x_channel).parse_poll(
        json.dumps({"mentions": [], "dms": [fixture("dm_events_page.json")]}).encode()
    )
    assert [(i.external_id, i.thread_key, i.is_private) for i in items] == [
        ("dm:1582838223773466628", "x-dm:906948460078698496", True)
    ]
    assert items[0].author.display_name == "Carmen R."


def test_polling_follows_pagination_and_the_since_id_cursor(x_channel, fake_x):
    for n in range(150):
        fake_x.mention("fan", "Fan", f"@laespiga mensaje {n}", minutes_ago=200 - n)
    fake_x.dm("carmen_r", "Carmen", "¿Roscones?")
    outcome = poll(x_channel, force=False)
    assert outcome.status == "polled" and outcome.event.item_count == 151
    assert Message.objects.filter(conversation__channel=x_channel).count() == 151
    x_channel.refresh_from_db()
    cursor = json.loads(x_channel.poll_cursor)
    assert cursor["mentions"] == fake_x.mentions[-1]["id"]

    fake_x.mention("nuevo", "Nuevo", "@laespiga ¿hacéis envíos?")
    again = poll(x_channel)
    assert again.event.item_count == 1  # nothing fetched twice
    assert Message.objects.filter(conversation__channel=x_channel).count() == 152


def test_a_429_reschedules_after_the_reset_and_loses_nothing(x_channel, fake_x):
    fake_x.mention("rosa_p", "Rosa", "@laespiga hola")
    fake_x.rate_limited_until = time.time() + 600
    assert poll(x_channel, force=False).status == "rate_limited"
    x_channel.refresh_from_db()
    assert x_channel.next_poll_at > timezone.now() + timezone.timedelta(seconds=590)
    assert "rate limit" in x_channel.last_error and x_channel.poll_cursor == ""
    fake_x.rate_limited_until = 0
    assert poll(x_channel).event.item_count == 1


def test_a_revoked_token_disables_the_channel(x_channel, fake_x):
    fake_x.revoked = True
    assert poll(x_channel, force=False).status == "disabled"
    x_channel.refresh_from_db()
    assert not x_channel.active and "credentials" in x_channel.last_error


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_crc_challenge(client, settings):
    settings.X_CONSUMER_SECRET = "x-consumer-secret"
    response = client.get("/webhooks/x/?crc_token=abc123")
    assert response.json() == {"response_token": sign("x-consumer-secret", b"abc123")}
    assert client.get("/webhooks/x/").status_code == 400


def test_signed_activity_is_accepted_and_dedupes_with_polling(
    client, x_channel, fake_x, django_capture_on_commit_callbacks
):
    body = json.dumps(fixture("account_activity.json") | {"for_user_id": fake_x.account_id}).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/webhooks/x/",
            data=body,
            content_type="application/json",
            HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=sign("x-consumer-secret", body),
        )
    assert response.status_code == 200 and response.json()["items"] == 2  # the account's own tweet is an echo
    assert Message.objects.count() == 2
    # The same tweet through polling adds nothing.
    page = fixture("mentions_page.json")
    page["data"] = page["data"][:1]
    with django_capture_on_commit_callbacks(execute=True):
        InboundEvent.objects.create(
            channel=x_channel, kind="x", source="poll", body=json.dumps({"mentions": [page], "dms": []}).encode()
        )
        from inbox.services.ingest import inbound_events_drain

        inbound_events_drain()
    assert Message.objects.count() == 2


@pytest.mark.parametrize("signature", [None, "sha256=forged"])
def test_unsigned_or_forged_deliveries_are_403_and_recorded(client, x_channel, signature):
    body = json.dumps(fixture("account_activity.json")).encode()
    headers = {"HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": signature} if signature else {}
    response = client.post("/webhooks/x/", data=body, content_type="application/json", **headers)
    assert response.status_code == 403
    assert InboundEvent.objects.get().status == InboundEvent.Status.REJECTED


def test_a_delivery_for_an_unknown_account_is_recorded(client, x_channel, settings):
    body = json.dumps(fixture("account_activity.json") | {"for_user_id": "999"}).encode()
    response = client.post(
        "/webhooks/x/",
        data=body,
        content_type="application/json",
        HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=sign("x-consumer-secret", body),
    )
    assert response.status_code == 404
    event = InboundEvent.objects.get()
    assert event.status == InboundEvent.Status.REJECTED and "999" in event.error and bytes(event.body) == body


def _x_conversation(channel, fake_x, *, private=False):
    if private:
        fake_x.dm("carmen_r", "Carmen", "¿Roscones?")
    else:
        fake_x.mention("rosa_p", "Rosa", "@laespiga ¿abrís el domingo?")
    poll(channel)
    return Conversation.objects.get(channel=channel, kind="private" if private else "public")


def test_a_public_reply_is_one_tweet_in_the_thread(x_channel, fake_x, gestor):
    conversation = _x_conversation(x_channel, fake_x)
    message = reply_create(conversation=conversation, sender=gestor, body="¡Sí, de 9 a 14!")
    reply_send(message_id=message.pk)
    reply_send(message_id=message.pk)  # a second attempt sends nothing
    assert fake_x.posted == [
        {
            "kind": "tweet",
            "id": fake_x.posted[0]["id"],
            "text": "¡Sí, de 9 a 14!",
            "reply": {"in_reply_to_tweet_id": fake_x.mentions[-1]["id"]},
        }
    ]
    message.refresh_from_db()
    assert message.delivery_status == "sent" and message.external_id == f"tweet:{fake_x.posted[0]['id']}"


def test_a_dm_reply_is_one_direct_message(x_channel, fake_x, gestor):
    conversation = _x_conversation(x_channel, fake_x, private=True)
    message = reply_create(conversation=conversation, sender=gestor, body="¡Claro! Te los apartamos.")
    reply_send(message_id=message.pk)
    assert [(p["kind"], p["participant_id"], p["text"]) for p in fake_x.posted] == [
        ("dm", fake_x.dm_events[-1]["sender_id"], "¡Claro! Te los apartamos.")
    ]


def test_replies_over_280_characters_are_refused_before_sending(x_channel, fake_x, gestor):
    conversation = _x_conversation(x_channel, fake_x)
    with pytest.raises(ReplyRefused, match="280"):
        reply_create(conversation=conversation, sender=gestor, body="x" * 281)
    assert fake_x.posted == []
    assert Channel.objects.get(pk=x_channel.pk).active


def test_the_cm_connects_an_x_account_with_write_only_credentials(client, cm, gestor, fake_x):
    client.force_login(gestor)
    assert client.get("/channels/new/?kind=x").status_code == 403
    client.force_login(cm)
    data = {
        "name": "X @laespiga",
        "key": "x-laespiga",
        "external_account_id": fake_x.account_id,
        "active": "on",
        "bearer_token": "b-1",
        "consumer_key": "ck",
        "consumer_secret": "cs",
        "access_token": "at",
        "access_token_secret": "ats",
    }
    response = client.post("/channels/new/?kind=x", data)
    assert response.status_code == 302
    channel = Channel.objects.get(kind="x")
    assert channel.credentials["bearer_token"] == "b-1"
    # Editing without secrets keeps them; they are never shown back.
    page = client.get(f"/channels/{channel.pk}/edit/").content.decode()
    assert "b-1" not in page
    client.post(f"/channels/{channel.pk}/edit/", data | {"bearer_token": "", "name": "X La Espiga"})
    channel.refresh_from_db()
    assert channel.credentials["bearer_token"] == "b-1" and channel.name == "X La Espiga"
    detail = client.get(f"/channels/{channel.pk}/").content.decode()
    assert "/webhooks/x/" in detail
