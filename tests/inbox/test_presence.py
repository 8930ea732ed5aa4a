"""Who else is on a conversation now: Redis with expiry, or the cache on the embedded default."""

import pytest

from core import presence

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["redis", "cache"])
def backend(request, settings):
    if request.param == "cache":
        settings.REDIS_URL = ""
    presence._client = None
    return request.param


def test_the_page_shows_who_else_is_viewing_or_writing(backend, client, conversation, gestor, gestor2, supervisor):
    url = f"/conversations/{conversation.pk}/presence/"
    client.force_login(gestor2)
    assert client.get(url, {"state": "writing"}).status_code == 200
    client.force_login(supervisor)
    client.get(url)
    client.force_login(gestor)
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert "Pablo is writing a reply" in page or "Pablo está escribiendo una respuesta" in page
    assert "Marta" in page
    mine = client.get(url).content.decode()
    assert "Lucía" not in mine  # not oneself
    assert mine.index("Pablo") < mine.index("Marta")  # writers first


def test_presence_expires(backend, conversation):
    place = f"conversation:{conversation.pk}"
    presence.presence_touch(place=place, user_id=1, state="writing", now=1000.0)
    presence.presence_touch(place=place, user_id=2, state="bogus", now=1000.0)
    assert presence.presence_here(place=place, now=1001.0) == [
        presence.Presence(1, "writing"),
        presence.Presence(2, "viewing"),
    ]
    presence.presence_touch(place=place, user_id=1, state="viewing", now=1010.0)
    assert presence.presence_here(place=place, now=1010.0 + presence.TTL_SECONDS - 1) == [
        presence.Presence(1, "viewing")
    ]
    assert presence.presence_here(place=place, now=1010.0 + presence.TTL_SECONDS + 1) == []


def test_presence_of_a_missing_conversation_is_404(client, gestor):
    client.force_login(gestor)
    assert client.get("/conversations/999999/presence/").status_code == 404
