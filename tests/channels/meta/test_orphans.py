"""An authentic Meta delivery for an account without a channel is kept whole and
replays once the channel exists (issue 13, item 1)."""

import json

import pytest

from channels.inbound import ReplayRefused, inbound_event_replay
from channels.models import Channel, InboundEvent
from inbox.models import Message

pytestmark = pytest.mark.django_db


def test_an_authentic_delivery_for_an_account_without_a_channel_replays_once_it_exists(
    client, fake_graph, cm, deliver_meta, django_capture_on_commit_callbacks
):
    from pathlib import Path

    delivery = json.loads((Path(__file__).parent / "fixtures" / "instagram.json").read_text())
    delivery["entry"] = delivery["entry"][:1]
    account = delivery["entry"][0]["id"]
    assert deliver_meta(delivery).status_code == 200
    orphan = InboundEvent.objects.get(status=InboundEvent.Status.REJECTED)
    assert orphan.authentic and orphan.channel is None
    with pytest.raises(ReplayRefused):
        inbound_event_replay(event=orphan)
    client.force_login(cm)
    assert 'data-testid="orphans"' in client.get("/channels/").content.decode()
    Channel.objects.create(
        kind="instagram",
        name="Instagram",
        key="ig-late",
        external_account_id=account,
        credentials={"access_token": "t"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/channels/deliveries/{orphan.pk}/replay/")
    orphan.refresh_from_db()
    assert orphan.status == InboundEvent.Status.PROCESSED and orphan.channel.key == "ig-late"
    assert Message.objects.filter(body="¡Qué pinta! ¿Cuánto cuesta la tarta?").exists()
