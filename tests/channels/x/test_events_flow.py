"""X events end to end: Account Activity deliveries and polls, drained, and what the inbox shows."""

import json
from pathlib import Path

import pytest

from inbox.models import Contact, Conversation, ItemLookup, Message
from inbox.services.ingest import inbound_events_drain
from listening.models import EngagementDay
from tests.channels.x.test_x_connector import sign

pytestmark = pytest.mark.django_db
VARIANTS = Path(__file__).parent / "fixtures" / "variants"


def variant(name: str) -> dict:
    return json.loads((VARIANTS / f"{name}.json").read_text())


@pytest.fixture
def deliver_x(client, x_channel, django_capture_on_commit_callbacks):
    def post(payload: dict):
        body = json.dumps(payload).encode()
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/webhooks/x/",
                data=body,
                content_type="application/json",
                HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=sign("x-consumer-secret", body),
            )

    return post


@pytest.fixture
def poll_x(x_channel, django_capture_on_commit_callbacks):
    from channels.models import InboundEvent

    def poll(batch: dict):
        with django_capture_on_commit_callbacks(execute=True):
            InboundEvent.objects.create(channel=x_channel, kind="x", source="poll", body=json.dumps(batch).encode())
            inbound_events_drain()

    return poll


def test_text_is_unescaped_links_expanded_and_media_kept(deliver_x):
    deliver_x(variant("aaa_tweet_mention"))
    deliver_x(variant("aaa_tweet_extended_photo"))
    mention = Message.objects.get(external_id="tweet:1800000000000000001")
    assert mention.body == "@latienda Pedido & factura: https://www.example.com/pedido/42 <urgente>"
    photo = Message.objects.get(external_id="tweet:1800000000000000002")
    assert photo.body.endswith("roto & sin caja") and photo.attachments[0]["url"].endswith("FotoRota.jpg")
    assert mention.author_contact.display_name == "Ana García"


def test_a_webhook_reply_joins_the_thread_of_the_tweet_it_answers(deliver_x, x_channel):
    deliver_x(variant("aaa_tweet_mention"))
    reply = variant("aaa_tweet_reply_without_conversation")
    reply["tweet_create_events"][0]["in_reply_to_status_id_str"] = "1800000000000000001"
    deliver_x(reply)
    assert Conversation.objects.count() == 1
    assert Message.objects.get(external_id="tweet:1800000000000000004").conversation.thread_key == (
        "x-thread:1800000000000000001"
    )
    assert not ItemLookup.objects.exists()  # found locally: no network call


def test_a_webhook_reply_to_an_unknown_tweet_asks_the_api_for_its_root(deliver_x, poll_x, fake_x):
    root = fake_x.mention("ana_g", "Ana García", "@laespiga primera")
    fake_x.corpus.append({"id": "1800000000000000004", "text": "x", "conversation_id": root["id"]})
    deliver_x(variant("aaa_tweet_reply_without_conversation"))  # answers 1800000000000000099, never stored
    message = Message.objects.get(external_id="tweet:1800000000000000004")
    assert message.conversation.thread_key == f"x-thread:{root['id']}"
    assert ItemLookup.objects.get().settled_at is not None
    # Polling the root later files it in the same conversation.
    poll_x({"mentions": [{"data": [root], "includes": {"users": list(fake_x.users.values())}}], "dms": []})
    assert Conversation.objects.count() == 1


def test_when_the_api_cannot_say_the_reply_stays_with_the_tweet_it_answers(deliver_x, fake_x):
    fake_x.revoked = True  # 401: permanent
    deliver_x(variant("aaa_tweet_reply_without_conversation"))
    message = Message.objects.get(external_id="tweet:1800000000000000004")
    assert message.conversation.thread_key == "x-thread:1800000000000000099"


def test_deletions_by_the_author_hide_the_text_but_keep_the_item(deliver_x, client, gestor):
    deliver_x(variant("aaa_tweet_mention"))
    deliver_x(variant("aaa_tweet_delete"))
    message = Message.objects.get()
    assert message.removed_at is not None and "factura" in message.body
    client.force_login(gestor)
    page = client.get(f"/conversations/{message.conversation_id}/").content.decode()
    assert "msg__flag--removed" in page
    assert page.count("factura") == 1 and page.index("factura") > page.index('<details class="msg__removed"')
    search = client.get("/", {"q": "factura"}).content.decode()
    assert f"/conversations/{message.conversation_id}/" not in search


def test_a_delete_of_a_tweet_never_stored_adds_nothing(deliver_x):
    deliver_x(variant("aaa_tweet_delete"))
    assert not Message.objects.exists()


def test_likes_and_retweets_are_counted_not_put_in_the_inbox(deliver_x, poll_x, x_channel):
    deliver_x(variant("aaa_favorite"))
    deliver_x(variant("aaa_retweet_of_own"))
    poll_x({"mentions": [variant("v2_mentions_page_retweet")], "dms": []})
    assert not Conversation.objects.exists()
    counts = dict(EngagementDay.objects.filter(channel=x_channel).values_list("kind", "count"))
    assert counts == {"like": 1, "retweet": 2}


def test_polled_media_and_author_less_tweets(poll_x):
    poll_x({"mentions": [variant("v2_mentions_page_media"), variant("v2_mentions_page_no_author")], "dms": []})
    video = Message.objects.get(external_id="tweet:1800000000000000021")
    assert [a["type"] for a in video.attachments] == ["video", "gif"]
    assert Contact.objects.filter(external_id__startswith="unknown:").count() == 2


def test_dm_media_and_a_dm_lacking_a_field_costs_only_itself(deliver_x):
    deliver_x(variant("aaa_dm_media"))
    deliver_x(variant("aaa_dm_missing_sender"))
    assert set(Message.objects.values_list("external_id", flat=True)) == {
        "dm:1900000000000000002",
        "dm:1900000000000000005",
    }
    assert Message.objects.get(external_id="dm:1900000000000000002").attachments[0]["type"] == "image"


def test_a_revoke_user_event_disables_the_channel_and_tells_the_cm(deliver_x, x_channel, cm):
    """Issue 13 item 4: the revoke arrives without for_user_id; it is routed by its
    source user, accepted (not a 400), and disables the channel."""
    from channels.models import Channel
    from core.models import Alert

    payload = variant("aaa_user_event_revoke")
    payload["user_event"]["revoke"]["source"]["user_id"] = x_channel.external_account_id
    response = deliver_x(payload)
    assert response.status_code == 200
    channel = Channel.objects.get(pk=x_channel.pk)
    assert not channel.active and "revoked" in channel.last_error
    assert Alert.objects.filter(recipient=cm, kind="channel").exists()
