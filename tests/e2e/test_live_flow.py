"""Live pages: a message posted to a webhook shows up in an open inbox within 2 s, without a reload."""

import json
import time

import pytest
import requests

from tests.conftest import sign
from tests.factories import ConversationFactory, InboundMessageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_a_webhook_message_appears_in_the_open_inbox_within_two_seconds(
    live_server, signed_in, artifacts, gestor, web_channel, viewport
):
    name = "desktop" if viewport["width"] > 800 else "phone"
    InboundMessageFactory(conversation=ConversationFactory(channel=web_channel, subject="Tarta de cumpleaños"))
    page = signed_in(gestor, viewport)
    page.wait_for_selector("text=Tarta de cumpleaños")
    page.wait_for_selector("body[data-live=open]", timeout=5_000)
    marker = page.evaluate("() => { window.__notReloaded = true; return true; }")
    unassigned = page.locator("#scope-counts .scope").nth(2).locator(".count").inner_text()

    body = json.dumps(
        {
            "external_id": f"live-{name}",
            "name": "Rosa Díaz",
            "email": "rosa@example.com",
            "subject": "Roscón sin fruta",
            "message": "¿Podéis hacer el roscón sin fruta escarchada?",
        }
    ).encode()
    posted = time.monotonic()
    response = requests.post(
        f"{live_server.url}/webhooks/web/{web_channel.key}/",
        data=body,
        headers={"Content-Type": "application/json", "X-Mostrador-Signature": sign("web-secret", body)},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    page.wait_for_selector("text=Roscón sin fruta", timeout=2_000)
    took = time.monotonic() - posted
    assert took < 2.0, f"took {took:.2f}s"
    assert page.evaluate("() => window.__notReloaded") is marker  # the same page: no reload
    assert page.locator(".conv", has_text="Roscón sin fruta").count() == 1  # swapped in place, not repeated
    # The sidebar's unassigned count follows.
    page.wait_for_function(
        "(before) => document.querySelectorAll('#scope-counts .scope')[2].querySelector('.count').innerText !== before",
        arg=unassigned,
        timeout=2_000,
    )
    # An alert for the reader lights the badge, as fast.
    from core.alerts import alerts_create
    from core.models import Alert

    assert page.locator("[data-testid=unread-alerts]").count() == 0
    posted = time.monotonic()
    alerts_create(alerts=[Alert(recipient=gestor, kind=Alert.Kind.ASSIGNED, text="Rosa Díaz: asignada a ti")])
    page.wait_for_selector("[data-testid=unread-alerts] >> text=1", state="attached", timeout=2_000)
    assert time.monotonic() - posted < 2.0
    if name == "phone":
        page.click(".topbar__menu")  # the sidebar with its counts
    page.screenshot(path=str(artifacts / f"e2e-live-inbox-{name}.png"), full_page=True)


def test_a_live_change_waits_while_rows_are_ticked_for_a_bulk_action(live_server, signed_in, gestor, web_channel):
    ticked = ConversationFactory(channel=web_channel, subject="Pan de centeno", assignee=gestor)
    InboundMessageFactory(conversation=ticked)
    page = signed_in(gestor, VIEWPORTS[0])
    page.wait_for_selector("body[data-live=open]", timeout=5_000)
    page.locator(".conv-row", has_text="Pan de centeno").locator("[data-testid=tick]").check()
    later = ConversationFactory(channel=web_channel, subject="Empanada gallega")
    InboundMessageFactory(conversation=later)
    from core.live import conversations_changed

    conversations_changed([later.pk])  # the factories write no event: tell the pages as the event writer does
    page.wait_for_selector("body[data-live-waiting]", state="attached", timeout=3_000)
    assert page.locator("text=Empanada gallega").count() == 0  # the list is not re-rendered under the ticks
    assert page.locator(".conv-row", has_text="Pan de centeno").locator("[data-testid=tick]").is_checked()
    page.locator(".conv-row", has_text="Pan de centeno").locator("[data-testid=tick]").uncheck()
    page.wait_for_selector("text=Empanada gallega", timeout=3_000)  # comes as soon as the selection is gone


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_two_gestores_answering_at_once_end_with_one_reply_sent_and_one_warned(
    live_server, signed_in, artifacts, gestor, gestor2, web_channel, viewport
):
    from inbox.models import Message

    name = "desktop" if viewport["width"] > 800 else "phone"
    conversation = ConversationFactory(channel=web_channel, subject="Horario de Reyes")
    InboundMessageFactory(conversation=conversation, body="¿Abrís el día de Reyes por la mañana?")
    lucia, pablo = signed_in(gestor, viewport), signed_in(gestor2, viewport)
    url = f"{live_server.url}/conversations/{conversation.pk}/"
    lucia.goto(url)
    pablo.goto(url)

    # Each sees the other there, and then writing.
    pablo.wait_for_selector("[data-testid=presence] >> text=Lucía", timeout=15_000)
    lucia.wait_for_selector("[data-testid=presence] >> text=Pablo", timeout=15_000)
    lucia.fill("textarea[name=body]", "Sí, el 6 de enero abrimos de 8:00 a 14:00.")
    pablo.fill("textarea[name=body]", "¡Hola! Abrimos por la mañana, hasta las 14:00.")
    pablo.wait_for_selector("[data-state=writing] >> text=Lucía", timeout=15_000)
    pablo.screenshot(path=str(artifacts / f"e2e-presence-{name}.png"), full_page=True)

    # Both press send at the same moment, having seen the same last message.
    with lucia.expect_navigation(), pablo.expect_navigation():
        lucia.click("button:has-text('Enviar respuesta')", no_wait_after=True)
        pablo.click("button:has-text('Enviar respuesta')", no_wait_after=True)

    pages = {"lucia": lucia, "pablo": pablo}
    warned = {who for who, page in pages.items() if page.locator("[data-testid=reply-conflict]").count()}
    assert len(warned) == 1, warned
    loser = pages[warned.pop()]
    winner = lucia if loser is pablo else pablo
    winner.wait_for_selector("[data-delivery=sent]", timeout=10_000)
    sent = Message.objects.get(conversation=conversation, direction=Message.Direction.OUT)
    conflict = loser.locator("[data-testid=reply-conflict]")
    assert sent.body in conflict.inner_text()  # shown what was said
    assert loser.locator("#reply-body").input_value() != ""  # the text is kept
    assert loser.locator("[data-testid=send-anyway]").is_visible()  # and asked before sending anyway
    loser.locator("[data-testid=reply-conflict]").scroll_into_view_if_needed()
    loser.screenshot(path=str(artifacts / f"e2e-reply-conflict-{name}.png"), full_page=True)
    winner.screenshot(path=str(artifacts / f"e2e-reply-winner-{name}.png"), full_page=True)
    assert Message.objects.filter(conversation=conversation, direction=Message.Direction.OUT).count() == 1
    # The warned writer's page follows what others do next, without a reload.
    from inbox.services.conversations import conversation_resolve

    started = time.monotonic()
    conversation_resolve(conversation=conversation, by=sent.sender)
    loser.wait_for_selector("#thread-meta .badge--resolved", timeout=2_000)
    assert time.monotonic() - started < 2.0
    assert loser.locator("#reply-body").input_value() != ""  # the reply box is left alone
