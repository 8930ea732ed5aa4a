"""WhatsApp from the browser: a gestor answers inside the 24-hour window and sees
the reply delivered (a status webhook marks it); outside the window the reply box
offers the approved templates, filled from the conversation, and one is sent."""

import json
import time

import pytest

from demo.fakes.graph_api import WHATSAPP_TEMPLATES
from inbox.models import Message
from tests.conftest import sign
from tests.factories import ChannelFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_ID = "106540352242922"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def delivery(value: dict) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "34910000000", "phone_number_id": PHONE_ID},
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def text(wamid: str, phone: str, name: str, body: str, hours_ago: float) -> dict:
    return delivery(
        {
            "contacts": [{"profile": {"name": name}, "wa_id": phone}],
            "messages": [
                {
                    "from": phone,
                    "id": wamid,
                    "timestamp": str(int(time.time() - hours_ago * 3600)),
                    "type": "text",
                    "text": {"body": body},
                }
            ],
        }
    )


def post(client, payload: dict):
    body = json.dumps(payload).encode()
    response = client.post(
        "/webhooks/meta/",
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign("meta-app-secret", body),
    )
    assert response.status_code == 200, response.content
    return response


@pytest.fixture
def whatsapp(db, fake_graph):
    fake_graph.templates = [dict(t) for t in WHATSAPP_TEMPLATES]
    return ChannelFactory(
        kind="whatsapp",
        name="WhatsApp La Espiga",
        key="whatsapp-laespiga",
        external_account_id=PHONE_ID,
        credentials={"access_token": "wa-token", "waba_id": "102290129340398"},
    )


def sends(fake_graph) -> list[dict]:
    return [r for r in fake_graph.requests if r.get("path") == f"{PHONE_ID}/messages"]


def test_gestor_answers_in_the_window_and_with_a_template_outside_it(
    signed_in, live_server, artifacts, client, gestor, whatsapp, fake_graph
):
    post(client, text("wamid.in1", "34600111222", "Carmen Lafuente", "¿Me guardáis un roscón para mañana?", 1))
    conversation = Message.objects.get(external_id="wamid.in1").conversation

    page = signed_in(gestor, viewport=DESKTOP)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    assert "24" in page.inner_text("[data-testid=reply-window]")
    page.fill("#reply-body", "¡Hola, Carmen! Te lo guardamos hasta las 13:00.")
    page.click("#composer button[type=submit].btn--primary")
    page.wait_for_selector("[data-delivery=sent]", timeout=10_000)
    assert [r["body"]["text"]["body"] for r in sends(fake_graph)] == ["¡Hola, Carmen! Te lo guardamos hasta las 13:00."]
    reply = Message.objects.get(direction="out")

    status = {
        "id": reply.external_id,
        "status": "delivered",
        "timestamp": str(int(time.time())),
        "recipient_id": "34600111222",
    }
    post(client, delivery({"statuses": [status]}))
    page.reload()
    page.wait_for_selector("[data-network-status=delivered]")
    assert "✓✓" in page.inner_text("[data-network-status=delivered]")
    page.screenshot(path=str(artifacts / "e2e-whatsapp-delivered-desktop.png"), full_page=True)
    phone = signed_in(gestor, viewport=PHONE)
    phone.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    phone.wait_for_selector("[data-network-status=delivered]")
    phone.screenshot(path=str(artifacts / "e2e-whatsapp-delivered-phone.png"), full_page=True)

    # Outside the window only an approved template goes.
    post(client, text("wamid.in2", "34600333444", "Jorge Aznar", "El pedido llegó sin la factura.", 30))
    late = Message.objects.get(external_id="wamid.in2").conversation
    page.goto(f"{live_server.url}/conversations/{late.pk}/")
    page.wait_for_selector("[data-testid=templates]")
    assert page.locator("[data-template]").count() == 2  # approved, body variables only
    template = page.locator("[data-template=seguimiento_consulta]")
    template.locator("summary").click()
    assert template.locator("input[name=var-1]").input_value() == "Jorge"
    template.locator("input[name=var-2]").fill("La Espiga")
    page.screenshot(path=str(artifacts / "e2e-whatsapp-template-desktop.png"), full_page=True)
    template.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=template-chip]", timeout=10_000)
    page.wait_for_selector("[data-delivery=sent]", timeout=10_000)
    assert sends(fake_graph)[-1]["body"]["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Jorge"},
        {"type": "text", "text": "La Espiga"},
    ]
    phone.goto(f"{live_server.url}/conversations/{late.pk}/")
    phone.wait_for_selector("[data-testid=templates]")
    phone.screenshot(path=str(artifacts / "e2e-whatsapp-template-phone.png"), full_page=True)
