"""YouTube comments end to end through the local fake Google: poll → drain →
one conversation per thread; edits; replies posted as the channel with
comments.insert; hiding as heldForReview (audited, never deleted); quota."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from channels import polling
from channels.connectors.google.client import google_error
from channels.connectors.youtube.connector import YouTubeConnector
from channels.models import Channel
from demo.fakes.google_api import comment_resource, demo_state, thread_resource
from inbox.models import Conversation, ConversationEvent, Message
from inbox.services.moderation import message_hide
from inbox.services.replies import reply_create, reply_send
from tests.channels.polls import poll

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime.now(UTC)


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_every_documented_shape_parses_and_a_broken_thread_is_kept_apart(youtube_channel):
    page = fixture("comment_threads.json")
    batch = {"channel_id": "UCx9LaEspigaPanaderia00A", "since": "2026-11-01T00:00:00+00:00", "items": page["items"]}
    report = YouTubeConnector(youtube_channel).parse_report(json.dumps(batch).encode(), source="poll")
    by_id = {item.external_id: item for item in report.items}
    assert set(by_id) == {"UgxThreadFull", "UgxThreadFull.9xReply1", "UgxNoChannelId"}  # our own reply left out
    top = by_id["UgxThreadFull"]
    assert top.thread_key == "yt-thread:UgxThreadFull" and not top.is_private
    assert top.body == "¿Qué harina usáis?" and top.author.external_id == "UCpanaderaCasera000000001"
    assert top.parent_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgxThreadFull"
    reply = by_id["UgxThreadFull.9xReply1"]
    assert reply.body == "Yo también quiero saberlo"  # textOriginal missing: textDisplay
    assert reply.in_reply_to == "UgxThreadFull" and reply.thread_key == "yt-thread:UgxThreadFull"
    nameless = by_id["UgxNoChannelId"]
    assert nameless.author.external_id == "yt-name:Jorge Aznar" and nameless.author.profile_url == ""
    assert len(report.unparsed) == 1


def test_quota_and_refusals_become_the_right_errors():
    quota = google_error(403, fixture("error_quota_exceeded.json"), {}, action="x")
    assert quota.retry_after is not None and 60 <= quota.retry_after <= 25 * 3600 and not quota.permanent
    disabled = google_error(403, fixture("error_comments_disabled.json"), {}, action="x")
    assert disabled.permanent and "commentsDisabled" in disabled.message


def test_threads_become_conversations_and_an_edit_is_an_event(youtube_channel, fake_google):
    fake_google.threads = demo_state(NOW).threads
    assert poll(youtube_channel).status == "polled"
    assert Conversation.objects.filter(channel=youtube_channel).count() == 3
    thread = Conversation.objects.get(thread_key="yt-thread:UgzDemoThread002DdEeFf")
    assert thread.messages.count() == 2  # the comment and its reply
    query = next(r for r in fake_google.requests if r["path"] == "/youtube/v3/commentThreads")["query"]
    assert query["allThreadsRelatedToChannelId"] == fake_google.channel_id and query["part"] == "snippet,replies"
    assert poll(youtube_channel).event is None  # nothing new
    top = fake_google.threads[0]["snippet"]["topLevelComment"]["snippet"]
    top["textOriginal"] = top["textDisplay"] = "¿Qué harina usáis? (Ya lo vi, gracias)"
    top["updatedAt"] = (NOW + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    poll(youtube_channel)
    edited = Message.objects.get(external_id="UgzDemoThread001AaBbCc")
    assert edited.body.endswith("(Ya lo vi, gracias)")
    assert ConversationEvent.objects.filter(kind="edited", conversation=edited.conversation).count() == 1


def test_a_reply_goes_as_the_channel_and_is_not_brought_back(youtube_channel, fake_google, gestor):
    fake_google.threads = demo_state(NOW).threads
    poll(youtube_channel)
    conversation = Conversation.objects.get(thread_key="yt-thread:UgzDemoThread001AaBbCc")
    reply = reply_create(conversation=conversation, sender=gestor, body="Harina de fuerza de Teruel, ¡gracias!")
    reply_send(message_id=reply.pk)
    inserts = [r for r in fake_google.requests if r["path"] == "/youtube/v3/comments"]
    assert [r["body"] for r in inserts] == [
        {"snippet": {"parentId": "UgzDemoThread001AaBbCc", "textOriginal": "Harina de fuerza de Teruel, ¡gracias!"}}
    ]
    reply.refresh_from_db()
    assert reply.delivery_status == "sent" and reply.external_id.startswith("UgzDemoThread001AaBbCc.reply")
    poll(youtube_channel)  # the channel's own reply is on YouTube now: not an inbound message
    assert conversation.messages.filter(direction="in").count() == 1


def test_hiding_holds_the_comment_for_review_and_is_audited(youtube_channel, fake_google, gestor):
    fake_google.threads = [
        thread_resource(
            comment_resource(
                "UgzSpam",
                "Compra seguidores aquí",
                author="@spam",
                author_channel="UCspam",
                video_id="v",
                published=NOW,
            )
        )
    ]
    poll(youtube_channel)
    message = Message.objects.get(external_id="UgzSpam")
    message_hide(message=message, by=gestor, reason="Spam")
    assert fake_google.moderation == {"UgzSpam": "heldForReview"}
    assert ConversationEvent.objects.filter(kind="hidden", conversation=message.conversation).count() == 1
    assert Message.objects.filter(external_id="UgzSpam").exists()  # never deleted
    message_hide(message=Message.objects.get(pk=message.pk), by=gestor, reason="Not spam", hidden=False)
    assert fake_google.moderation == {"UgzSpam": "published"}


def test_a_spent_quota_waits_until_youtube_resets_it(youtube_channel, fake_google):
    fake_google.quota_exceeded = True
    outcome = polling.channel_poll(channel_id=youtube_channel.pk, force=True)
    channel = Channel.objects.get(pk=youtube_channel.pk)
    assert outcome.status == "rate_limited" and channel.active and "quotaExceeded" in channel.last_error
    assert channel.next_poll_at > channel.last_polled_at + timedelta(seconds=59)


def test_the_set_up_form_checks_the_channel_id_and_keeps_secrets_write_only(client, cm):
    client.force_login(cm)
    data = {
        "name": "YouTube",
        "key": "yt",
        "external_account_id": "UCx9LaEspigaPanaderia00A",
        "active": "on",
        "client_id": "cid",
        "client_secret": "the-secret",
        "refresh_token": "the-refresh",
    }
    bad = client.post(reverse("channels:create") + "?kind=youtube", {**data, "external_account_id": "@laespiga"})
    assert bad.status_code == 200 and not Channel.objects.filter(key="yt").exists()
    assert client.post(reverse("channels:create") + "?kind=youtube", data).status_code == 302
    channel = Channel.objects.get(key="yt")
    page = client.get(reverse("channels:edit", args=[channel.pk])).content.decode()
    assert "the-secret" not in page and "the-refresh" not in page


def test_pages_are_followed_and_the_first_poll_leaves_old_threads_on_youtube(youtube_channel, fake_google):
    def thread(comment_id, hours_ago):
        return thread_resource(
            comment_resource(
                comment_id,
                f"Comentario {comment_id}",
                author=f"@{comment_id}",
                author_channel=f"UC{comment_id}",
                video_id="v",
                published=NOW - timedelta(hours=hours_ago),
            )
        )

    fake_google.page_size = 1
    fake_google.threads = [thread("a", 1), thread("b", 2), thread("c", 3), thread("old", 24 * 60)]
    poll(youtube_channel)
    assert set(Message.objects.values_list("external_id", flat=True)) == {"a", "b", "c"}
    listed = [r for r in fake_google.requests if r["path"] == "/youtube/v3/commentThreads"]
    # Page four holds only the old thread: nothing fresh on it, so no fifth page is asked for.
    assert [r["query"].get("pageToken") for r in listed] == [None, "1", "2", "3"]
