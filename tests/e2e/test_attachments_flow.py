"""A photo, a shared link and a location sent on Messenger show in the conversation
(pictures inline, the link and the map as links), on a desktop and on a phone."""

import json

import pytest

from inbox.models import Conversation
from tests.conftest import sign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGE_ID, PSID = "100000000000001", "7216093241750001"


def _delivery(base: str) -> dict:
    def event(n: int, message: dict) -> dict:
        return {
            "sender": {"id": PSID},
            "recipient": {"id": PAGE_ID},
            "timestamp": 1795345260000 + n,
            "message": message,
        }

    return {
        "object": "page",
        "entry": [
            {
                "id": PAGE_ID,
                "time": 1795345261000,
                "messaging": [
                    event(
                        1,
                        {
                            "mid": "m_photo",
                            "attachments": [{"type": "image", "payload": {"url": f"{base}/cdn/pedido.png"}}],
                        },
                    ),
                    event(
                        2,
                        {
                            "mid": "m_link",
                            "text": "Mirad esta oferta",
                            "attachments": [
                                {
                                    "type": "fallback",
                                    "payload": None,
                                    "title": "Oferta de primavera",
                                    "URL": "https://example.com/oferta",
                                }
                            ],
                        },
                    ),
                    event(
                        3,
                        {
                            "mid": "m_place",
                            "attachments": [
                                {
                                    "type": "location",
                                    "title": "Calle Mayor 1",
                                    "payload": {"coordinates": {"lat": 40.4168, "long": -3.7038}},
                                }
                            ],
                        },
                    ),
                ],
            }
        ],
    }


@pytest.mark.parametrize(
    ("name", "viewport"), [("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})]
)
def test_photo_link_and_location_show_in_the_conversation(
    signed_in, live_server, artifacts, client, gestor, page, fake_graph, settings, name, viewport
):
    fake_graph.profiles[PSID] = {"first_name": "Ana", "last_name": "García"}
    body = json.dumps(_delivery(settings.META_GRAPH_BASE_URL)).encode()
    response = client.post(
        "/webhooks/meta/",
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign("meta-app-secret", body),
    )
    assert response.status_code == 200
    from inbox.services.contacts import contact_profiles_fetch
    from inbox.services.ingest import inbound_events_drain

    inbound_events_drain()
    contact_profiles_fetch()
    conversation = Conversation.objects.get()

    browser_page = signed_in(gestor, viewport=viewport)
    browser_page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    photo = browser_page.locator(".attachment--picture img")
    photo.scroll_into_view_if_needed()
    browser_page.wait_for_function(
        "() => { const i = document.querySelector('.attachment--picture img');"
        " return i && i.complete && i.naturalWidth > 0 }",
        timeout=10_000,
    )
    assert photo.get_attribute("loading") == "lazy" and photo.bounding_box()["width"] <= 240
    link = browser_page.locator(".attachment--link a")
    assert (
        link.inner_text().strip().endswith("Oferta de primavera")
        and link.get_attribute("href") == "https://example.com/oferta"
    )
    place = browser_page.locator(".attachment--map a")
    assert "Calle Mayor 1" in place.inner_text() and "40.4168,-3.7038" in place.get_attribute("href")
    assert "Mirad esta oferta" in browser_page.content()
    assert browser_page.locator(".msg__head strong").first.inner_text() == "Ana García"
    # Scrolled to the end, the sticky composer sits below the thread instead of over it.
    browser_page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    browser_page.screenshot(path=str(artifacts / f"e2e-attachments-{name}.png"))
    browser_page.locator(".thread").screenshot(path=str(artifacts / f"e2e-attachments-{name}-thread.png"))
