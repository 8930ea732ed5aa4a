"""Google Business Profile reviews end to end through the local fake Google:
poll → drain → one conversation per review with its stars; edits and deletions
on Google; the public reply by PUT; OAuth and quota errors; the set-up page."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from channels import polling
from channels.connectors.base import ConnectorError, MalformedPayload
from channels.connectors.gbp.connector import GoogleReviewsConnector
from channels.connectors.google.client import google_error
from channels.models import Channel
from demo.fakes.google_api import demo_state, review
from inbox.models import Conversation, ConversationEvent, Message
from inbox.services.replies import reply_create, reply_send
from tests.channels.polls import poll

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime.now(UTC)


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_every_documented_shape_parses_and_a_broken_review_is_kept_apart(reviews_channel):
    connector = GoogleReviewsConnector(reviews_channel)
    page = fixture("reviews_list.json")
    batch = {"reviews": [{"review": r, "change": ""} for r in page["reviews"]], "removed": ["gone"]}
    report = connector.parse_report(json.dumps(batch).encode(), source="poll")
    by_id = {item.external_id: item for item in report.items}
    assert by_id["AbFvOqnFull"].body == "★☆☆☆☆ 1/5\n\nLa tarta llegó una hora tarde."
    assert by_id["AbFvOqnFull"].author.display_name == "Marta Ibáñez"
    assert by_id["AbFvOqnFull"].author.picture_url.startswith("https://lh3.googleusercontent.com/")
    assert by_id["AbFvOqnFull"].created_at == datetime(2026, 11, 20, 9, 14, 3, 512000, tzinfo=UTC)
    assert by_id["AbFvOqnFull"].thread_key == "gbp-review:AbFvOqnFull" and not by_id["AbFvOqnFull"].is_private
    assert by_id["AbFvOqnNoComment"].body == "★★★★★ 5/5"
    assert by_id["AbFvOqnAnonymous"].author.display_name == "Google user"
    assert by_id["AbFvOqnAnonymous"].author.picture_url == ""
    assert by_id["AbFvOqnNulls"].body == "★★★★☆ 4/5" and by_id["AbFvOqnNulls"].author.display_name == "Google user"
    assert by_id["AbFvOqnReplied"].body == "Todo bien."  # no stars given: no stars line
    assert by_id["AbFvOqnFull"].needs_reply is None and by_id["AbFvOqnFull"].rating == 1
    assert by_id["gone"].change == "removed" and by_id["gone"].body == ""
    assert len(report.unparsed) == 1 and "reviewId" in report.unparsed[0].reason
    with pytest.raises(MalformedPayload):
        connector.parse_report(b'{"not": "a batch"}', source="poll")


def test_documented_errors_become_the_right_connector_errors():
    revoked = google_error(400, fixture("error_invalid_grant.json"), {}, action="x")
    assert revoked.credentials and revoked.permanent
    denied = google_error(403, fixture("error_permission_denied.json"), {}, action="x")
    assert denied.permanent and not denied.credentials and denied.retry_after is None
    limited = google_error(429, fixture("error_resource_exhausted.json"), {"Retry-After": "30"}, action="x")
    assert limited.retry_after == 30 and not limited.permanent
    assert google_error(503, {"error": {"code": 503, "message": "Backend Error"}}, {}, action="x").permanent is False


def test_reviews_come_in_with_their_stars_and_low_ones_are_complaints(reviews_channel, fake_google):
    fake_google.reviews = demo_state(NOW).reviews
    outcome = poll(reviews_channel)
    assert outcome.status == "polled"
    # The fake's oldest review (24 days) is inside the first poll's thirty days: all eight come in.
    assert Conversation.objects.filter(channel=reviews_channel).count() == 8
    worst = Message.objects.get(external_id="AbFvOqn3Gq1xYzDemoReview001")
    assert worst.body.startswith("★☆☆☆☆ 1/5\n\nPedí una tarta")
    assert worst.conversation.kind == "public" and worst.conversation.category.slug == "queja"
    two = Message.objects.get(external_id="AbFvOqn3Gq1xYzDemoReview002").conversation
    assert two.category.slug == "queja"
    five = Message.objects.get(external_id="AbFvOqn3Gq1xYzDemoReview003").conversation
    assert five.category.slug == "comentario"
    listing = [r for r in fake_google.requests if r["path"].endswith("/reviews")]
    assert listing[0]["query"] == {"pageSize": "50", "orderBy": "updateTime desc"}
    # Nothing changed: the next poll stores nothing.
    assert poll(reviews_channel).event is None


def test_the_first_poll_leaves_old_history_on_google(reviews_channel, fake_google):
    fake_google.reviews = [
        review("new", 4, "Bien", name="Ana", written=NOW - timedelta(days=2)),
        review("old", 5, "Genial", name="Eva", written=NOW - timedelta(days=90)),
    ]
    poll(reviews_channel)
    assert list(Message.objects.values_list("external_id", flat=True)) == ["new"]
    # The old one is known: when its author edits it, it comes in (with the new text).
    fake_google.reviews[1] = review("old", 2, "Ya no", name="Eva", written=NOW - timedelta(days=90), updated=NOW)
    poll(reviews_channel)
    assert Message.objects.get(external_id="old").body == "★★☆☆☆ 2/5\n\nYa no"


def test_an_edit_updates_the_message_as_an_event_and_a_deletion_is_marked(reviews_channel, fake_google):
    fake_google.page_size = 2  # three reviews over two pages: the listing follows nextPageToken
    fake_google.reviews = [
        review("r1", 5, "Muy rico", name="Ana", written=NOW - timedelta(hours=5)),
        review("r2", 4, "Bien", name="Eva", written=NOW - timedelta(hours=4)),
        review("r3", 3, "Normal", name="Pau", written=NOW - timedelta(hours=3)),
    ]
    poll(reviews_channel)
    assert Message.objects.count() == 3
    fake_google.reviews[0] = review("r1", 1, "Hoy el pan estaba crudo", name="Ana", written=NOW - timedelta(hours=5))
    fake_google.reviews[0]["updateTime"] = (NOW + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    del fake_google.reviews[1]
    poll(reviews_channel)
    edited = Message.objects.get(external_id="r1")
    assert edited.body == "★☆☆☆☆ 1/5\n\nHoy el pan estaba crudo" and edited.edited_at is not None
    event = ConversationEvent.objects.get(kind="edited")
    assert event.data["previous"] == "★★★★★ 5/5\n\nMuy rico"
    gone = Message.objects.get(external_id="r2")
    assert gone.removed_at is not None and gone.body == "★★★★☆ 4/5\n\nBien"  # kept, marked
    assert ConversationEvent.objects.filter(kind="removed", conversation=gone.conversation).count() == 1
    assert Message.objects.count() == 3
    # Polled again, nothing more happens.
    poll(reviews_channel)
    assert ConversationEvent.objects.filter(kind__in=["edited", "removed"]).count() == 2


def test_a_reply_is_put_on_the_review_once(reviews_channel, fake_google, gestor):
    fake_google.reviews = demo_state(NOW).reviews
    poll(reviews_channel)
    conversation = Message.objects.get(external_id="AbFvOqn3Gq1xYzDemoReview001").conversation
    reply = reply_create(conversation=conversation, sender=gestor, body="Sentimos el retraso, Marta. Te llamamos hoy.")
    reply_send(message_id=reply.pk)
    reply_send(message_id=reply.pk)
    puts = [r for r in fake_google.requests if r["method"] == "PUT"]
    assert len(puts) == 1
    assert puts[0]["path"] == f"/v4/{fake_google.location}/reviews/AbFvOqn3Gq1xYzDemoReview001/reply"
    assert puts[0]["body"] == {"comment": "Sentimos el retraso, Marta. Te llamamos hoy."}
    reply.refresh_from_db()
    assert reply.delivery_status == "sent" and reply.external_id.startswith("AbFvOqn3Gq1xYzDemoReview001:reply:")
    shown = next(r for r in fake_google.reviews if r["reviewId"] == "AbFvOqn3Gq1xYzDemoReview001")
    assert shown["reviewReply"]["comment"] == "Sentimos el retraso, Marta. Te llamamos hoy."


def test_an_interrupted_reply_is_found_on_the_review(reviews_channel, fake_google):
    fake_google.reviews = [review("r1", 2, "Mal", name="Ana", written=NOW, reply="Lo sentimos")]
    connector = GoogleReviewsConnector(reviews_channel)
    from channels.connectors.base import ContactRef, OutboundReply

    sent = OutboundReply("k", "Lo sentimos", "gbp-review:r1", False, ContactRef("gbp-reviewer:r1"))
    assert connector.find_sent(sent, since=NOW).external_id.startswith("r1:reply:")
    other = OutboundReply("k", "Otra cosa", "gbp-review:r1", False, ContactRef("gbp-reviewer:r1"))
    assert connector.find_sent(other, since=NOW) is None
    assert connector.validate_reply("ñ" * 2049)  # 4,098 bytes: over Google's 4,096


def test_a_revoked_refresh_token_disables_the_channel_with_the_reason(reviews_channel, fake_google):
    fake_google.revoked = True
    outcome = polling.channel_poll(channel_id=reviews_channel.pk, force=True)
    channel = Channel.objects.get(pk=reviews_channel.pk)
    assert outcome.status == "disabled" and not channel.active
    assert "invalid_grant" in channel.last_error


def test_a_rate_limit_waits_as_google_says(reviews_channel, monkeypatch):
    def limited(self, client):
        raise ConnectorError("Google API 429", retry_after=45)

    monkeypatch.setattr(GoogleReviewsConnector, "_list", limited)
    outcome = polling.channel_poll(channel_id=reviews_channel.pk, force=True)
    channel = Channel.objects.get(pk=reviews_channel.pk)
    assert outcome.status == "rate_limited" and channel.active
    assert 40 < (channel.next_poll_at - channel.last_polled_at).total_seconds() <= 46


def test_the_set_up_form_keeps_the_oauth_secrets_write_only(client, cm):
    client.force_login(cm)
    data = {
        "name": "Reseñas",
        "key": "resenas",
        "external_account_id": "accounts/1/locations/2",
        "active": "on",
        "client_id": "cid.apps.googleusercontent.com",
        "client_secret": "the-client-secret",
        "refresh_token": "1//the-refresh-token",
    }
    bad = client.post(reverse("channels:create") + "?kind=google_reviews", {**data, "external_account_id": "2"})
    assert bad.status_code == 200 and not Channel.objects.filter(key="resenas").exists()
    assert "Escríbela como accounts/{id de cuenta}/locations/{id de ubicación}." in bad.content.decode()
    response = client.post(reverse("channels:create") + "?kind=google_reviews", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    channel = Channel.objects.get(key="resenas")
    assert channel.credentials["refresh_token"] == "1//the-refresh-token"
    page = client.get(reverse("channels:edit", args=[channel.pk])).content.decode()
    assert "the-client-secret" not in page and "the-refresh-token" not in page
    assert 'value="cid.apps.googleusercontent.com"' in page
    client.post(reverse("channels:edit", args=[channel.pk]), {**data, "client_secret": "", "refresh_token": ""})
    channel.refresh_from_db()
    assert channel.credentials["client_secret"] == "the-client-secret"
    assert channel.credentials["refresh_token"] == "1//the-refresh-token"


def test_the_access_token_is_reused_and_refreshed_when_google_refuses_it(reviews_channel, fake_google):
    from django.core.cache import cache

    from channels.connectors.google.client import GoogleClient

    client = GoogleClient(reviews_channel.credentials)
    cache.delete(client._cache_key)
    fake_google.reviews = [review("r1", 4, "Bien", name="Ana", written=NOW)]
    url = f"{fake_google.base_url}/v4/{fake_google.location}/reviews"
    client.call("GET", url, action="listing")
    client.call("GET", url, action="listing")
    assert len([r for r in fake_google.requests if r["path"] == "/token"]) == 1  # cached for its lifetime
    assert fake_google.requests[0]["body"]["grant_type"] == "refresh_token"
    assert fake_google.requests[0]["body"]["refresh_token"] == "1//rt"
    fake_google.issued.clear()  # Google no longer accepts the cached token: one 401, one refresh, one retry
    assert client.call("GET", url, action="listing")["totalReviewCount"] == 1
    assert len([r for r in fake_google.requests if r["path"] == "/token"]) == 2
