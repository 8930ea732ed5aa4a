"""One entry that cannot be read never costs its neighbours (issue 13, item 1)."""

import json

import pytest

from channels.inbound import ReplayRefused, inbound_event_replay
from channels.models import InboundEvent, UnparsedEntry
from core.models import Alert
from inbox.models import Message
from inbox.services.ingest import inbound_events_drain

pytestmark = pytest.mark.django_db


def _delivery(*entries) -> bytes:
    return json.dumps({"items": list(entries)}).encode()


GOOD = {"id": "1", "author": "ana", "text": "hola"}
BAD = {"text": "an entry with no id"}
ALSO_GOOD = {"id": "2", "author": "bea", "text": "buenas"}


def test_a_bad_entry_is_kept_on_its_own_and_its_neighbours_arrive(
    client, fake_channel, post_webhook, cm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(fake_channel, None, raw=_delivery(GOOD, BAD, ALSO_GOOD), secret="fake-secret")
    assert response.status_code == 202
    assert response.json()["items"] == 2
    event = InboundEvent.objects.get()
    assert event.status == InboundEvent.Status.PROCESSED
    assert sorted(Message.objects.values_list("body", flat=True)) == ["buenas", "hola"]
    entry = UnparsedEntry.objects.get()
    assert entry.raw == BAD and "KeyError" in entry.reason and entry.event == event
    # The CM is told once that the channel started failing, and sees the entry on its page.
    fake_channel.refresh_from_db()
    assert fake_channel.failing_since is not None
    assert Alert.objects.filter(recipient=cm, kind="channel").count() == 1
    client.force_login(cm)
    page = client.get(f"/channels/{fake_channel.pk}/").content.decode()
    assert "an entry with no id" in page and 'data-testid="unparsed"' in page


def test_replaying_after_the_fix_adds_only_what_was_missing(fake_channel, django_capture_on_commit_callbacks):
    event = InboundEvent.objects.create(channel=fake_channel, kind="fake", body=_delivery(GOOD, BAD))
    inbound_events_drain()
    assert Message.objects.count() == 1 and UnparsedEntry.objects.count() == 1
    # "Fixed": the stored entry now reads (here, the delivery is mended by hand).
    InboundEvent.objects.filter(pk=event.pk).update(body=_delivery(GOOD, {**BAD, "id": "3", "author": "c"}))
    with django_capture_on_commit_callbacks(execute=True):
        inbound_event_replay(event=event)
    assert Message.objects.count() == 2  # GOOD is not stored twice
    assert not UnparsedEntry.objects.filter(replayed_at__isnull=True).exists()
    fake_channel.refresh_from_db()
    assert fake_channel.failing_since is None  # a clean reading: no longer failing


def test_a_failing_channel_alerts_when_it_starts_not_on_every_failure(fake_channel, cm):
    for n in range(3):
        InboundEvent.objects.create(channel=fake_channel, kind="fake", body=_delivery({"text": f"bad {n}"}))
        inbound_events_drain()
    assert UnparsedEntry.objects.count() == 3
    assert Alert.objects.filter(kind="channel").count() == 1


def test_unsigned_refusals_cannot_be_replayed(client, web_channel):
    client.post(f"/webhooks/web/{web_channel.key}/", data=b"{}", content_type="application/json")
    with pytest.raises(ReplayRefused):
        inbound_event_replay(event=InboundEvent.objects.get())
