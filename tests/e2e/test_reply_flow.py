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
