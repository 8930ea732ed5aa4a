"""A gestor logs in, opens a conversation, replies, and sees it sent."""

import pytest

from inbox.models import Message
from tests.factories import PASSWORD, ConversationFactory, InboundMessageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_gestor_replies_from_the_browser(live_server, browser, artifacts, gestor, web_channel, mailoutbox, viewport):
    conversation = ConversationFactory(channel=web_channel, subject="Pan sin gluten")
    InboundMessageFactory(conversation=conversation, body="¿Tenéis pan sin gluten los domingos?")
    name = "desktop" if viewport["width"] > 800 else "phone"

    page = browser.new_page(viewport=viewport)
    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", gestor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Pan sin gluten")
    page.screenshot(path=str(artifacts / f"e2e-inbox-{name}.png"), full_page=True)

    page.click("text=Pan sin gluten")
    page.wait_for_selector("text=¿Tenéis pan sin gluten los domingos?")
    page.fill("textarea[name=body]", "Sí, los domingos horneamos pan sin gluten hasta las 13:00.")
    page.click("button:has-text('Enviar respuesta')")
    sent = page.wait_for_selector("[data-delivery=sent]", timeout=10_000)
    assert "Enviado" in sent.inner_text()
    page.screenshot(path=str(artifacts / f"e2e-sent-{name}.png"), full_page=True)
    page.close()

    reply = Message.objects.get(direction=Message.Direction.OUT)
    assert reply.delivery_status == Message.DeliveryStatus.SENT
    assert reply.sender == gestor
    assert [m.to for m in mailoutbox] == [[conversation.contact.email]]


def test_search_filters_the_inbox_as_you_type(live_server, browser, supervisor, web_channel):
    for subject, body in (("Tarta de boda", "Quiero una tarta de tres pisos"), ("Forfait", "¿Precio del forfait?")):
        InboundMessageFactory(conversation=ConversationFactory(channel=web_channel, subject=subject), body=body)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", supervisor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Forfait")
    page.fill("input[name=q]", "tres pisos")
    page.wait_for_selector("text=Forfait", state="detached", timeout=5_000)
    assert page.locator(".conv").count() == 1
    assert page.locator("#results").count() == 1  # swapped in place, not nested
    assert "q=tres%20pisos" in page.url  # the filters are in the address, to share or reload
    page.close()
