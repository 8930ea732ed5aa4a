import pytest
from django.urls import reverse

from channels.models import Channel

pytestmark = pytest.mark.django_db


def test_every_role_reads_channels_with_webhook_url(client, gestor, web_channel):
    client.force_login(gestor)
    html = client.get(reverse("channels:list")).content.decode()
    assert web_channel.name in html
    assert f"/webhooks/web/{web_channel.key}/" in html
    assert "web-secret" not in html
    assert client.get(reverse("channels:detail", args=[web_channel.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["gestor", "supervisor", "owner", "outsider"])
def test_only_the_cm_creates_channels(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("channels:create")).status_code == 403
    data = {"name": "Web", "key": "web-new", "active": "on", "secret": "s"}
    assert client.post(reverse("channels:create"), data).status_code == 403
    assert not Channel.objects.filter(key="web-new").exists()


def test_cm_creates_and_edits_a_web_channel_keeping_the_secret(client, cm):
    client.force_login(cm)
    response = client.post(
        reverse("channels:create"), {"name": "Web Esquí", "key": "web-esqui", "active": "on", "secret": "s3cr3t"}
    )
    channel = Channel.objects.get(key="web-esqui")
    assert response.status_code == 302
    assert channel.kind == "web"
    assert channel.credentials["secret"] == "s3cr3t"
    edit = client.get(reverse("channels:edit", args=[channel.pk])).content.decode()
    assert "s3cr3t" not in edit
    client.post(reverse("channels:edit", args=[channel.pk]), {"name": "Web Esquí 2", "key": "web-esqui", "secret": ""})
    channel.refresh_from_db()
    assert channel.name == "Web Esquí 2"
    assert channel.credentials["secret"] == "s3cr3t"
    assert channel.active is False


def test_rejected_deliveries_are_listed_for_the_cm(client, cm, web_channel, post_webhook):
    post_webhook(web_channel, {"email": "a@example.com", "message": "hola"}, secret="wrong")
    client.force_login(cm)
    html = client.get(reverse("channels:detail", args=[web_channel.pk])).content.decode()
    assert "does not match the body" in html


def test_cm_replays_a_failed_delivery(client, cm, gestor, fake_channel, django_capture_on_commit_callbacks):
    from channels.models import InboundEvent
    from inbox.models import Message

    body = b'{"items": [{"id": "r-1", "author": "u", "text": "hola"}]}'
    event = InboundEvent.objects.create(
        channel=fake_channel, kind="fake", status=InboundEvent.Status.FAILED, body=body, error="DB was down"
    )
    url = reverse("channels:replay", args=[event.pk])
    client.force_login(gestor)
    assert client.post(url).status_code == 403
    client.force_login(cm)
    assert f'action="{url}"' in client.get(reverse("channels:detail", args=[fake_channel.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    event.refresh_from_db()
    assert event.status == InboundEvent.Status.PROCESSED
    assert Message.objects.filter(external_id="r-1").exists()
    assert client.post(url).status_code == 404  # only failed deliveries replay
