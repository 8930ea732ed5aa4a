"""Polling: cursors, no duplicates, rate limits, revoked tokens, one poller at a time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from channels import polling
from channels.connectors.base import ConnectorError
from channels.models import Channel, InboundEvent
from channels.tasks import channels_poll_due_task
from demo.fakes.connector import FakeConnector
from inbox.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def _item(n: int, text: str = "¿Abrís el domingo?") -> dict:
    return {"id": n, "thread": f"t{n}", "private": False, "author": f"user{n}", "text": text}


def test_a_poll_stores_the_raw_batch_and_ingests_each_item_once(fake_channel):
    FakeConnector.feed.extend([_item(1), _item(2)])

    first = polling.channel_poll(channel_id=fake_channel.pk)
    assert first.status == "polled"
    assert first.event.source == InboundEvent.Source.POLL
    assert first.event.item_count == 2
    fake_channel.refresh_from_db()
    assert fake_channel.poll_cursor == "2"
    assert fake_channel.next_poll_at > timezone.now() + timedelta(seconds=50)

    FakeConnector.feed.append(_item(3))
    again = polling.channel_poll(channel_id=fake_channel.pk, force=True)
    assert again.event.item_count == 1
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["1", "2", "3"]
    assert InboundEvent.objects.filter(status=InboundEvent.Status.PROCESSED).count() == 2


def test_a_channel_is_not_polled_before_its_time(fake_channel):
    FakeConnector.feed.append(_item(1))
    assert polling.channel_poll(channel_id=fake_channel.pk).status == "polled"
    assert polling.channel_poll(channel_id=fake_channel.pk).status == "skipped"
    assert fake_channel.pk not in polling.channels_due_poll()
    assert fake_channel.pk in polling.channels_due_poll(now=timezone.now() + timedelta(minutes=2))


def test_an_empty_poll_stores_no_event_but_moves_on(fake_channel):
    outcome = polling.channel_poll(channel_id=fake_channel.pk)
    assert outcome.status == "polled" and outcome.event is None
    assert InboundEvent.objects.count() == 0
    fake_channel.refresh_from_db()
    assert fake_channel.last_polled_at is not None


def test_a_rate_limit_reschedules_after_the_reset_and_keeps_the_cursor(fake_channel):
    Channel.objects.filter(pk=fake_channel.pk).update(poll_cursor="7")
    FakeConnector.poll_fail_with = ConnectorError("Rate limited.", retry_after=900)

    outcome = polling.channel_poll(channel_id=fake_channel.pk)

    assert outcome.status == "rate_limited"
    fake_channel.refresh_from_db()
    assert fake_channel.poll_cursor == "7"
    assert fake_channel.active
    assert fake_channel.last_error == "Rate limited."
    assert fake_channel.next_poll_at >= timezone.now() + timedelta(seconds=890)


def test_a_revoked_token_disables_the_channel_and_says_why(fake_channel):
    FakeConnector.poll_fail_with = ConnectorError("Token revoked.", permanent=True)
    assert polling.channel_poll(channel_id=fake_channel.pk).status == "disabled"
    fake_channel.refresh_from_db()
    assert not fake_channel.active
    assert fake_channel.last_error == "Token revoked."
    assert fake_channel.pk not in polling.channels_due_poll()


def test_an_unexpected_error_is_recorded_and_retried_later(fake_channel, monkeypatch):
    monkeypatch.setattr(FakeConnector, "fetch_since", lambda self, cursor: 1 / 0)
    assert polling.channel_poll(channel_id=fake_channel.pk).status == "failed"
    fake_channel.refresh_from_db()
    assert "ZeroDivisionError" in fake_channel.last_error
    assert fake_channel.active and fake_channel.next_poll_at > timezone.now()


def test_the_beat_task_polls_every_due_channel(fake_channel):
    FakeConnector.feed.append(_item(1))
    assert channels_poll_due_task() == 1
    assert Message.objects.filter(conversation__channel=fake_channel).count() == 1
    assert channels_poll_due_task() == 0


def test_a_web_channel_is_never_polled(web_channel):
    assert web_channel.pk not in polling.channels_due_poll()
