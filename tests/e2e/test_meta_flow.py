"""A signed Meta delivery becomes a conversation; a gestor answers publicly, then privately,
from the browser, and the fake Graph API receives exactly one correct request per reply."""

import json

import pytest

from inbox.models import Message
from tests.conftest import sign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMENT = {
    "object": "page",
    "entry": [
        {
            "id": "100000000000001",
            "time": 1795345260,
            "changes": [
                {
                    "field": "feed",
                    "value": {
                        "from": {"id": "61", "name": "Rosa Pérez"},
                        "post_id": "100000000000001_222",
                        "comment_id": "222_1",
                        "item": "comment",
                        "verb": "add",
                        "message": "¿El roscón lleva frutos secos? Mi hijo es alérgico",
                        "created_time": 1795345260,
                    },
                }
            ],
        }
    ],
}


def test_gestor_replies_publicly_and_privately(signed_in, live_server, artifacts, client, gestor, page, fake_graph):
    body = json.dumps(COMMENT).encode()
    response = client.post(
        "/webhooks/meta/",
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign("meta-app-secret", body),
    )
    assert response.status_code == 200
    conversation = Message.objects.get(external_id="fb-comment:222_1").conversation

    browser_page = signed_in(gestor)
    browser_page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    browser_page.fill("#reply-body", "¡Hola, Rosa! Lleva almendra. Te escribimos por privado.")
    browser_page.click("button:has-text('Enviar respuesta')")
    browser_page.wait_for_selector("[data-delivery=sent]", timeout=10_000)
    assert fake_graph.requests == [
        {"path": "222_1/comments", "body": {"message": "¡Hola, Rosa! Lleva almendra. Te escribimos por privado."}}
    ]

    browser_page.fill("#reply-body", "Rosa, ¿nos dices para qué día lo quieres?")
    browser_page.check("input[name=private]")
    browser_page.click("button:has-text('Enviar respuesta')")
    browser_page.wait_for_function(
        "() => document.querySelectorAll('[data-delivery=sent]').length === 2", timeout=10_000
    )
    browser_page.screenshot(path=str(artifacts / "e2e-meta-replies.png"), full_page=True)
    assert len(fake_graph.requests) == 2
    assert fake_graph.requests[1]["path"] == "100000000000001/messages"
    assert fake_graph.requests[1]["body"]["recipient"] == {"comment_id": "222_1"}
