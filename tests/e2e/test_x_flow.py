"""A mention polled from the (fake) X API is answered from the browser with exactly one tweet;
the Listening page shows the watches with their counts."""

import pytest

from inbox.models import Conversation, Message
from listening.models import Watch
from listening.services import watch_poll
from tests.channels.x.conftest import poll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_gestor_answers_an_x_mention_and_sees_listening(signed_in, live_server, artifacts, gestor, x_channel, fake_x):
    mention = fake_x.mention("rosa_p", "Rosa Pérez", "@laespiga ¿abrís el domingo por la tarde?")
    fake_x.post("ana_b", "Ana B.", "¿Alguien sabe si La Espiga hace pan sin gluten?")
    fake_x.post("pedro", "Pedro", "Horno Doré ha subido los precios")
    poll(x_channel)
    for name, kind, query in (("La Espiga", "brand", '"La Espiga"'), ("Horno Doré", "competitor", '"Horno Doré"')):
        watch_poll(watch_id=Watch.objects.create(name=name, kind=kind, query=query, channel=x_channel).pk)
    conversation = Conversation.objects.get(channel=x_channel)

    page = signed_in(gestor)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    page.fill("#reply-body", "¡Hola, Rosa! Los domingos abrimos de 9 a 14.")
    page.click("button:has-text('Enviar respuesta')")
    page.wait_for_selector("[data-delivery=sent]", timeout=10_000)
    assert [(p["kind"], p["reply"]["in_reply_to_tweet_id"]) for p in fake_x.posted] == [("tweet", mention["id"])]
    assert Message.objects.get(direction="out").external_id == f"tweet:{fake_x.posted[0]['id']}"

    page.click("nav >> text=Escucha")
    page.wait_for_selector("[data-testid=daily-counts]")
    assert page.locator("[data-testid=watch]").count() == 2
    assert page.locator("[data-testid=result]").count() == 2
    page.screenshot(path=str(artifacts / "e2e-listening.png"), full_page=True)
