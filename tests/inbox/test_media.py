"""Copies of network pictures: owed with the message, copied by a task, swept when lost; shown by page and API."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from channels.connectors.base import ContactRef, InboundItem, attachment_dict
from inbox.models import AttachmentCopy, Message
from inbox.services.ingest import ReceivedItem, inbound_items_ingest
from inbox.tasks import inbound_follow_ups_sweep_task
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def copying(settings, tmp_path, fake_graph):
    settings.MOSTRADOR_COPY_MEDIA = True
    settings.MEDIA_ROOT = tmp_path
    return fake_graph


def _ingest(channel, *attachments, execute=True):
    item = InboundItem(
        external_id="fb-mid:m1",
        thread_key="fb-user:1",
        is_private=True,
        author=ContactRef(external_id="1"),
        body="",
        attachments=attachments,
    )
    with TestCase.captureOnCommitCallbacks(execute=execute), transaction.atomic():
        inbound_items_ingest(received=[ReceivedItem(channel, item, timezone.now())])
    return Message.objects.get(external_id="fb-mid:m1")


def test_pictures_are_copied_into_storage_and_shown_from_there(copying, settings, tmp_path, client, gestor):
    channel = ChannelFactory(kind="facebook")
    base = settings.META_GRAPH_BASE_URL
    message = _ingest(
        channel,
        attachment_dict("image", url=f"{base}/cdn/foto.png"),
        attachment_dict("location", url="https://maps.example/?q=1,2", latitude=1.0, longitude=2.0),
        attachment_dict("video", url=f"{base}/v.mp4", preview_url=f"{base}/cdn/poster.png"),
    )
    image, location, video = message.attachments
    assert image["stored"].startswith(f"attachments/{channel.pk}/") and (tmp_path / image["stored"]).exists()
    assert (tmp_path / image["stored"]).read_bytes().startswith(b"\x89PNG")
    assert "stored" not in location and video["stored"]
    assert AttachmentCopy.objects.filter(settled_at__isnull=False).count() == 2

    client.force_login(gestor)
    page = client.get(f"/conversations/{message.conversation_id}/").content.decode()
    assert f'src="/media/{image["stored"]}"' in page and 'loading="lazy"' in page
    assert "https://maps.example/?q=1,2" in page

    api = APIClient()
    api.force_authenticate(gestor)
    [data] = api.get(f"/api/v1/conversations/{message.conversation_id}/").json()["messages"]
    first, second, third = data["attachments"]
    assert first["type"] == "image" and first["stored_url"] == f"http://testserver/media/{image['stored']}"
    assert (second["latitude"], second["longitude"], second["stored_url"]) == (1.0, 2.0, None)
    assert third["preview_url"].endswith("poster.png")


def test_a_copy_the_broker_lost_is_made_by_the_sweep(copying, settings, tmp_path):
    channel = ChannelFactory(kind="facebook")
    message = _ingest(
        channel, attachment_dict("image", url=f"{settings.META_GRAPH_BASE_URL}/cdn/foto.png"), execute=False
    )
    copy = AttachmentCopy.objects.get()
    assert copy.settled_at is None and "stored" not in message.attachments[0]
    assert inbound_follow_ups_sweep_task()["copies"] == 0  # too fresh: its task may still run
    AttachmentCopy.objects.filter(pk=copy.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert inbound_follow_ups_sweep_task()["copies"] == 1
    message.refresh_from_db()
    assert Path(tmp_path / message.attachments[0]["stored"]).exists()


def test_what_is_not_an_image_is_given_up_and_the_network_url_stays(copying, settings):
    channel = ChannelFactory(kind="facebook")
    page_feed = f"{settings.META_GRAPH_BASE_URL}/v21.0/1/feed"  # JSON, not a picture
    message = _ingest(channel, attachment_dict("image", url=page_feed))
    copy = AttachmentCopy.objects.get()
    assert copy.settled_at is not None and "Not an image" in copy.last_error
    assert message.attachments[0]["url"] == page_feed and "stored" not in message.attachments[0]


def test_stored_pictures_are_for_people_with_a_role_or_a_signed_link(client, gestor, outsider):
    """Customers' pictures are never public; a network fetching a reply's image gets a signed link."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from inbox.services.media import media_url

    name = default_storage.save("replies/matrix-test.png", ContentFile(b"\x89PNG picture"))
    plain, signed = media_url(name), media_url(name, signed=True)
    assert client.get(plain).status_code == 403
    assert client.get(signed).status_code == 200
    assert b"".join(client.get(signed).streaming_content) == b"\x89PNG picture"
    assert client.get(plain + "?s=1:forged").status_code == 403
    assert client.get(signed.replace("matrix-test", "other")).status_code == 403
    client.force_login(outsider)
    assert client.get(plain).status_code == 403
    client.force_login(gestor)
    assert client.get(plain).status_code == 200
    assert client.get("/media/../../etc/passwd").status_code in (403, 404)
    assert client.get("/media/replies/nothing.png").status_code == 404
