"""Two workers draining at once on PostgreSQL: each event once, each message once."""

import json
import threading

import pytest
from django.db import connection

from channels.models import InboundEvent
from inbox.models import Conversation, Message
from inbox.services.ingest import inbound_events_drain


@pytest.mark.django_db(transaction=True)
def test_concurrent_drains_share_the_work_without_duplicates(fake_channel):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    # 300 events, each re-delivered once, over 30 threads of conversation.
    bodies = [
        json.dumps({"items": [{"id": f"m{i}", "thread": f"t{i % 30}", "author": f"u{i % 30}", "text": f"hola {i}"}]})
        for i in range(300)
    ]
    InboundEvent.objects.bulk_create(
        [InboundEvent(channel=fake_channel, kind="fake", body=b.encode()) for b in bodies + bodies]
    )
    taken = []
    errors = []

    def drain():
        try:
            taken.append(inbound_events_drain(batch_size=25))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(taken) == 600
    assert Message.objects.count() == 300
    assert Conversation.objects.count() == 30
    assert not InboundEvent.objects.exclude(status=InboundEvent.Status.PROCESSED).exists()
