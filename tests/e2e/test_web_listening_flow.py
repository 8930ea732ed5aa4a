"""Listening on the open web and one person across counters, in the browser:
forum and blog results (from a local fake feed server) on the Listening page,
a forum thread sent to the inbox, and a person's profile gathering a WhatsApp
chat and an X mention; desktop and phone."""

import pytest
from django.db import transaction
from django.utils import timezone

from channels.connectors.base import ContactRef, InboundItem
from demo.fakes.feeds import demo_state, serve
from inbox.models import Contact, Conversation
from inbox.services.ingest import ReceivedItem, inbound_items_ingest
from inbox.services.persons import person_merge, person_note_add
from listening.models import Watch
from listening.services import watch_poll
from tests.factories import ChannelFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def feeds():
    state = demo_state()
    server = serve(state)
    yield state
    server.shutdown()
    server.server_close()


def _receive(channel, external_id, handle, name, body, thread):
    item = InboundItem(
        external_id=f"{channel.key}-{thread}",
        thread_key=thread,
        is_private=channel.kind != "x",
        author=ContactRef(external_id=external_id, handle=handle, display_name=name),
        body=body,
    )
    with transaction.atomic():
        inbound_items_ingest(received=[ReceivedItem(channel, item, timezone.now())])
    return Contact.objects.get(channel=channel, external_id=external_id)


def test_forum_results_in_listening_and_a_person_profile(
    signed_in, live_server, artifacts, gestor, feeds, default_protocol
):
    forums = ChannelFactory(kind="feed", key="foros", name="Blogs y foros")
    for name, kind, path, words in (
        ("La Espiga en el foro", "brand", "/foro/panaderias.rss", "La Espiga"),
        ("La Espiga en blogs", "brand", "/blog/feed.xml", "la espiga"),
        ("Horno Doré en blogs", "competitor", "/blog/feed.xml", "HORNO DORE"),
    ):
        watch = Watch.objects.create(
            name=name, kind=kind, source="feed", feed_url=feeds.url(path), keywords=words, channel=forums
        )
        watch_poll(watch_id=watch.pk)
    whatsapp = ChannelFactory(kind="whatsapp", key="wa", name="WhatsApp La Espiga", external_account_id="1065")
    x = ChannelFactory(kind="x", key="x", name="X @laespiga")
    phone = _receive(whatsapp, "34611000001", "+34611000001", "Carmen Lafuente", "¿Me guardáis un roscón?", "wa:1")
    handle = _receive(x, "42", "@carmen_lf", "Carmen L.", "@laespiga ¿abrís el domingo?", "x-thread:1")
    person_merge(person=phone.person, other=handle.person, by=gestor, reason="misma persona")
    person_note_add(person=phone.person, author=gestor, body="Prefiere WhatsApp.")

    page = signed_in(gestor)
    page.goto(f"{live_server.url}/listening/")
    page.wait_for_selector("[data-testid=result]")
    assert page.locator("[data-testid=result]").count() == 4  # two forum threads, two blog posts
    assert page.locator("[data-testid=watch-source]").count() == 3
    assert page.get_by_text("¿La Espiga abre el domingo?").count() == 1
    page.screenshot(path=str(artifacts / "e2e-listening-feeds.png"), full_page=True)

    forum = page.locator("[data-testid=result]", has_text="¿La Espiga abre el domingo?")
    forum.get_by_role("button", name="Enviar a la bandeja").click()
    page.wait_for_url("**/conversations/*/")
    conversation = Conversation.objects.get(channel=forums)
    assert "encargar una tarta" in conversation.messages.get().body

    page.goto(f"{live_server.url}/conversations/{Conversation.objects.get(channel=whatsapp).pk}/")
    page.click("[data-testid=person-link]")
    page.wait_for_selector("[data-testid=person-identities]")
    assert page.locator("[data-testid=identity]").count() == 2
    assert page.locator("[data-testid=person-conversation]").count() == 2
    assert page.get_by_text("Prefiere WhatsApp.").count() == 1
    page.screenshot(path=str(artifacts / "e2e-person.png"), full_page=True)

    mobile = signed_in(gestor, viewport=PHONE)
    mobile.goto(f"{live_server.url}/listening/")
    mobile.wait_for_selector("[data-testid=result]")
    mobile.screenshot(path=str(artifacts / "e2e-listening-feeds-phone.png"), full_page=True)
    mobile.goto(page.url)
    mobile.wait_for_selector("[data-testid=person-identities]")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the profile scrolls sideways on a phone ({width}px)"
    mobile.screenshot(path=str(artifacts / "e2e-person-phone.png"), full_page=True)
