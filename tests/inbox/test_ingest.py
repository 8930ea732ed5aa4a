"""Ingest: idempotent upserts, threading, reopening, failure isolation."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from channels.connectors.base import ContactRef, InboundItem
from channels.models import InboundEvent
from inbox.models import Contact, Conversation, ConversationEvent, Message
from inbox.services.ingest import ReceivedItem, inbound_events_drain, inbound_items_ingest

pytestmark = pytest.mark.django_db


def form(external_id, email="ana@example.com", message="¿Abrís el domingo?", **extra):
    return {
        "external_id": external_id,
        "name": "Ana",
        "email": email,
        "subject": "Horario",
        "message": message,
        **extra,
    }


def item(external_id, thread="t-1", author="u-1", private=False, at=None, body="hola"):
    return InboundItem(
        external_id=external_id,
        thread_key=thread,
        is_private=private,
        author=ContactRef(external_id=author, handle=f"@{author}"),
        body=body,
        created_at=at,
    )


def test_redelivered_event_adds_nothing(web_channel, post_webhook):
    post_webhook(web_channel, form("f-1"))
    post_webhook(web_channel, form("f-1"))
    assert inbound_events_drain() == 2
    assert Message.objects.count() == 1
    assert Contact.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert ConversationEvent.objects.filter(kind=ConversationEvent.Kind.RECEIVED).count() == 1
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_draining_twice_processes_once(web_channel, post_webhook):
    post_webhook(web_channel, form("f-1"))
    assert inbound_events_drain() == 1
    assert inbound_events_drain() == 0


def test_one_contacts_messages_thread_into_one_conversation(web_channel, post_webhook):
    post_webhook(web_channel, form("f-1"))
    post_webhook(web_channel, form("f-2", message="¿Y el sábado?"))
    post_webhook(web_channel, form("f-3", email="luis@example.com"))
    inbound_events_drain()
    ana = Conversation.objects.get(contact__email="ana@example.com")
    assert list(ana.messages.values_list("body", flat=True)) == ["¿Abrís el domingo?", "¿Y el sábado?"]
    assert Conversation.objects.count() == 2
    assert ana.kind == Conversation.Kind.PRIVATE
    assert ana.status == Conversation.Status.NEW


def test_conversation_times_follow_the_messages(fake_channel):
    now = timezone.now()
    early, late = now - timedelta(hours=3), now - timedelta(hours=1)
    received = [
        ReceivedItem(fake_channel, item("b", at=late), now),
        ReceivedItem(fake_channel, item("a", at=early), now),
    ]
    inbound_items_ingest(received=received)
    conversation = Conversation.objects.get()
    assert conversation.first_inbound_at == early
    assert conversation.last_inbound_at == late
    assert conversation.waiting_since == early
    assert conversation.kind == Conversation.Kind.PUBLIC


def test_items_without_a_network_time_use_the_reception_time(fake_channel):
    received_at = timezone.now() - timedelta(minutes=7)
    inbound_items_ingest(received=[ReceivedItem(fake_channel, item("a"), received_at)])
    assert Message.objects.get().created_at == received_at


def test_new_message_reopens_a_resolved_conversation(fake_channel):
    inbound_items_ingest(received=[ReceivedItem(fake_channel, item("a"), timezone.now())])
    Conversation.objects.update(status=Conversation.Status.RESOLVED, waiting_since=None)
    inbound_items_ingest(received=[ReceivedItem(fake_channel, item("b"), timezone.now())])
    conversation = Conversation.objects.get()
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.waiting_since is not None
    assert conversation.events.filter(kind=ConversationEvent.Kind.REOPENED).exists()


def test_new_message_on_a_waiting_conversation_opens_it_but_keeps_the_first_wait(fake_channel):
    first = timezone.now() - timedelta(hours=2)
    inbound_items_ingest(received=[ReceivedItem(fake_channel, item("a", at=first), first)])
    Conversation.objects.update(status=Conversation.Status.WAITING)
    inbound_items_ingest(received=[ReceivedItem(fake_channel, item("b"), timezone.now())])
    conversation = Conversation.objects.get()
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.waiting_since == first


def test_contact_details_are_refreshed(fake_channel):
    inbound_items_ingest(received=[ReceivedItem(fake_channel, item("a"), timezone.now())])
    renamed = InboundItem(
        external_id="b",
        thread_key="t-1",
        is_private=False,
        author=ContactRef(external_id="u-1", handle="@nuevo", display_name="Nuevo Nombre"),
        body="hola",
    )
    inbound_items_ingest(received=[ReceivedItem(fake_channel, renamed, timezone.now())])
    contact = Contact.objects.get()
    assert (contact.handle, contact.display_name) == ("@nuevo", "Nuevo Nombre")


def test_same_external_id_on_two_channels_is_two_messages(fake_channel, web_channel):
    from tests.factories import ChannelFactory

    other = ChannelFactory(kind="fake", key="fake-2", credentials={"secret": "x"})
    now = timezone.now()
    inbound_items_ingest(
        received=[ReceivedItem(fake_channel, item("same"), now), ReceivedItem(other, item("same"), now)]
    )
    assert Message.objects.count() == 2
    assert Conversation.objects.count() == 2


def test_a_bad_event_fails_alone_and_keeps_its_body(fake_channel):
    good = json.dumps({"items": [{"id": "1", "author": "u", "text": "hola"}]}).encode()
    InboundEvent.objects.create(channel=fake_channel, kind="fake", body=good)
    bad = InboundEvent.objects.create(channel=fake_channel, kind="fake", body=b'{"items": "not a list"}')
    InboundEvent.objects.create(channel=fake_channel, kind="fake", body=good.replace(b'"1"', b'"2"'))
    assert inbound_events_drain() == 3
    bad.refresh_from_db()
    assert bad.status == InboundEvent.Status.FAILED
    assert "KeyError" in bad.error or "Not a fake delivery" in bad.error
    assert bad.attempts == 1
    assert Message.objects.count() == 2


def test_failed_event_can_be_replayed(fake_channel, django_capture_on_commit_callbacks):
    from channels.inbound import inbound_event_replay

    event = InboundEvent.objects.create(
        channel=fake_channel, kind="fake", status=InboundEvent.Status.FAILED, body=b'{"items": []}', error="x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        inbound_event_replay(event=event)
    event.refresh_from_db()
    assert event.status == InboundEvent.Status.PROCESSED
    assert event.error == ""


def test_the_list_snippet_is_the_latest_inbound_message(fake_channel):
    now = timezone.now()
    inbound_items_ingest(
        received=[
            ReceivedItem(fake_channel, item("b", at=now, body="La segunda,\n  más reciente"), now),
            ReceivedItem(fake_channel, item("a", at=now - timedelta(hours=1), body="La primera"), now),
        ]
    )
    assert Conversation.objects.get().snippet == "La segunda, más reciente"
    inbound_items_ingest(received=[ReceivedItem(fake_channel, item("c", at=now - timedelta(hours=2)), now)])
    assert Conversation.objects.get().snippet == "La segunda, más reciente"  # an older item does not replace it


def test_a_burst_of_deliveries_asks_for_one_drain_without_a_round_trip_each(monkeypatch, settings):
    """The drain asked for waits the gather delay before it reads, so deliveries
    stored meanwhile by the same process need not ask again."""
    from config.celery_app import app as celery_app
    from inbox.services import ingest

    asked = []
    celery_app.conf.task_always_eager = False  # the conftest sets it back for every test
    monkeypatch.setattr(ingest, "dispatch", lambda task, countdown=None: asked.append(countdown) or True)
    settings.MOSTRADOR_INGEST_GATHER_SECONDS = 0.3
    for _ in range(5):
        ingest.drain_schedule()
    assert asked == [0.3]
    import time

    time.sleep(0.35)  # the drain has started: the next delivery asks again (once the flag is gone)
    from django.core.cache import cache

    cache.delete(ingest.DRAIN_FLAG)
    ingest.drain_schedule()
    assert asked == [0.3, 0.3]


def test_a_drain_pending_from_another_process_spares_the_round_trip_until_it_starts(monkeypatch, settings):
    """A delivery that finds another process's drain pending (the flag holds when
    it starts) need not ask, nor read the flag again, until shortly before then."""
    import time

    from django.core.cache import cache

    from config.celery_app import app as celery_app
    from inbox.services import ingest

    celery_app.conf.task_always_eager = False
    asked, claims = [], []
    monkeypatch.setattr(ingest, "dispatch", lambda task, countdown=None: asked.append(countdown) or True)
    claim = ingest._flag_claim
    monkeypatch.setattr(ingest, "_flag_claim", lambda starts: claims.append(starts) or claim(starts))
    settings.MOSTRADOR_INGEST_GATHER_SECONDS = 0.3
    cache.set(ingest.DRAIN_FLAG, time.time() + 0.3, timeout=3)  # another process asked
    for _ in range(5):
        ingest.drain_schedule()
    assert asked == [] and len(claims) == 1
    time.sleep(0.3)  # that drain has started: it cleared the flag
    cache.delete(ingest.DRAIN_FLAG)
    ingest.drain_schedule()
    assert asked == [0.3] and len(claims) == 2


def test_a_flag_of_unknown_start_spares_nothing(monkeypatch, settings):
    from django.core.cache import cache

    from config.celery_app import app as celery_app
    from inbox.services import ingest

    celery_app.conf.task_always_eager = False
    asked, claims = [], []
    monkeypatch.setattr(ingest, "dispatch", lambda task, countdown=None: asked.append(countdown) or True)
    claim = ingest._flag_claim
    monkeypatch.setattr(ingest, "_flag_claim", lambda starts: claims.append(starts) or claim(starts))
    cache.set(ingest.DRAIN_FLAG, 1, timeout=3)  # set by an older release: no start time
    for _ in range(3):
        ingest.drain_schedule()
    assert asked == [] and len(claims) == 3


def test_the_drain_flag_on_redis_is_one_round_trip_and_shared_with_the_cache(monkeypatch, settings):
    """With Redis, the flag is claimed by a client the process keeps, under the
    cache's key: the drain clears it through the cache."""
    import os

    import pytest
    from django.core.cache import caches

    from inbox.services import ingest

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs Redis")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    monkeypatch.setattr(ingest, "cache", caches["default"])
    monkeypatch.setattr(ingest, "_flag_client", None)
    ingest.cache.delete(ingest.DRAIN_FLAG)
    try:
        assert ingest._flag_claim(123.5) == (True, None)
        assert ingest._flag_claim(200.0) == (False, 123.5)
        ingest.cache.delete(ingest.DRAIN_FLAG)
        assert ingest._flag_claim(300.0) == (True, None)
    finally:
        ingest.cache.delete(ingest.DRAIN_FLAG)


def test_a_drain_takes_full_batches_and_stops_after_one_that_is_not(web_channel, post_webhook, monkeypatch):
    """What arrives during a drain's last (partial) batch asked for a drain of its
    own: it is left for that one, gathered into a batch, not taken one by one."""
    from inbox.services import ingest

    for n in range(3):
        post_webhook(web_channel, form(f"f-{n}"))
    process = ingest.inbound_events_process
    calls = []

    def process_and_receive_one(*, events):
        calls.append(len(events))
        process(events=events)
        if len(calls) == 2:  # another delivery arrives meanwhile
            post_webhook(web_channel, form("late"))

    monkeypatch.setattr(ingest, "inbound_events_process", process_and_receive_one)
    assert inbound_events_drain(batch_size=2) == 3
    assert calls == [2, 1]
    assert InboundEvent.objects.filter(status="accepted").count() == 1
    monkeypatch.setattr(ingest, "inbound_events_process", process)
    assert inbound_events_drain(batch_size=2) == 1
    assert Message.objects.count() == 4


def test_a_known_contact_is_renamed_by_a_named_item_and_kept_otherwise(fake_channel):
    from inbox.services.ingest import ReceivedItem, inbound_items_ingest

    now = timezone.now()

    def item(external_id: str, body: str, **author) -> InboundItem:
        return InboundItem(
            external_id=external_id,
            thread_key="t",
            is_private=True,
            author=ContactRef(external_id="u", **author),
            body=body,
        )

    inbound_items_ingest(received=[ReceivedItem(fake_channel, item("a", "x", display_name="Ana"), now)])
    renamed = item("b", "y", display_name="Ana B")
    bare = item("c", "z")
    messages = inbound_items_ingest(received=[ReceivedItem(fake_channel, renamed, now)])
    assert messages[0].author_contact.display_name == "Ana B"
    inbound_items_ingest(received=[ReceivedItem(fake_channel, bare, now)])
    contact = Contact.objects.get()
    assert contact.display_name == "Ana B"
    assert Message.objects.filter(author_contact=contact).count() == 3
