"""A gestor attaches an image to a reply where the network allows it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from demo.fakes.http import png
from inbox.models import Message
from tests.channels.x.conftest import poll
from tests.factories import ConversationFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MOSTRADOR_PUBLIC_URL = "https://mostrador.example"
    return tmp_path


def _post(client, conversation, **data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/conversations/{conversation.pk}/reply/", data)


def _image(name="foto.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, content if content is not None else png(), content_type=content_type)


def test_a_messenger_reply_sends_the_image_by_url_then_the_text(client, gestor, page, fake_graph, stored_media):
    conversation = ConversationFactory(channel=page, kind="private", thread_key="fb-user:7216093241750001")
    InboundMessageFactory(conversation=conversation)
    client.force_login(gestor)
    response = _post(client, conversation, body="Aquí tienes el ticket", image=_image())
    assert response.status_code == 302
    reply = Message.objects.get(direction="out")
    assert reply.delivery_status == "sent" and (stored_media / reply.attachments[0]["stored"]).exists()
    image_call, text_call = [r["body"] for r in fake_graph.requests if r.get("path", "").endswith("/messages")]
    payload = image_call["message"]["attachment"]
    assert payload["type"] == "image"
    # A signed link: Meta fetches the picture without a session, nobody else can.
    url, _sep, query = payload["payload"]["url"].partition("?s=")
    assert url == f"https://mostrador.example/media/{reply.attachments[0]['stored']}" and query
    assert text_call["message"] == {"text": "Aquí tienes el ticket"}
    page_html = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert f'src="/media/{reply.attachments[0]["stored"]}"' in page_html and 'name="image"' in page_html


def test_an_x_reply_uploads_the_image_and_tweets_it(client, gestor, x_channel, fake_x, stored_media):
    fake_x.mention("rosa_p", "Rosa", "@laespiga ¿así?")
    poll(x_channel)
    conversation = x_channel.conversations.get()
    client.force_login(gestor)
    _post(client, conversation, body="Así queda", image=_image())
    upload, tweet = fake_x.posted
    assert upload["kind"] == "media" and upload["_length"] > 0
    assert tweet["kind"] == "tweet" and tweet["media"] == {"media_ids": [upload["id"]]}


def test_instagram_comment_replies_take_no_image(client, gestor, instagram, stored_media):
    conversation = ConversationFactory(channel=instagram, kind="public", thread_key="ig-media:1")
    InboundMessageFactory(conversation=conversation, external_id="ig-comment:9")
    client.force_login(gestor)
    response = _post(client, conversation, body="Gracias", image=_image())
    assert response.status_code == 422 and not Message.objects.filter(direction="out").exists()
    assert 'name="image"' not in client.get(f"/conversations/{conversation.pk}/").content.decode()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("x.txt", b"hello", "text/plain"), ("fake.png", b"not a picture at all", "image/png")],
)
def test_what_is_not_an_image_is_refused(client, gestor, page, stored_media, name, content, content_type):
    conversation = ConversationFactory(channel=page, kind="private", thread_key="fb-user:1")
    InboundMessageFactory(conversation=conversation)
    client.force_login(gestor)
    response = _post(client, conversation, body="Hola", image=_image(name, content, content_type))
    assert response.status_code == 422 and not Message.objects.filter(direction="out").exists()


def test_a_too_large_image_is_refused(client, gestor, page, stored_media, settings):
    settings.MOSTRADOR_REPLY_IMAGE_MAX_BYTES = 100
    conversation = ConversationFactory(channel=page, kind="private", thread_key="fb-user:1")
    InboundMessageFactory(conversation=conversation)
    client.force_login(gestor)
    assert _post(client, conversation, body="Hola", image=_image()).status_code == 422
