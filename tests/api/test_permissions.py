"""Every endpoint × persona."""

import pytest

from channels.models import Channel
from inbox.models import Message

pytestmark = pytest.mark.django_db

PERSONAS = ["gestor", "supervisor", "cm", "owner", "outsider"]
CAN = {
    "read": {"gestor", "supervisor", "cm", "owner"},
    "reply": {"gestor", "supervisor", "cm"},
    "assign": {"supervisor", "cm"},
    "channels": {"cm"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_matrix(request, api_as, persona, conversation, gestor2):
    api = api_as(request.getfixturevalue(persona))
    url = f"/api/v1/conversations/{conversation.pk}"

    def allowed(response) -> bool:
        assert response.status_code not in (401, 500), response.content
        return response.status_code != 403

    assert allowed(api.get("/api/v1/conversations/")) == (persona in CAN["read"])
    assert allowed(api.get(f"{url}/")) == (persona in CAN["read"])
    assert allowed(api.get("/api/v1/channels/")) == (persona in CAN["read"])
    assert allowed(api.post(f"{url}/reply/", {"body": "Hola"}, format="json")) == (persona in CAN["reply"])
    assert allowed(api.post(f"{url}/notes/", {"body": "Nota"}, format="json")) == (persona in CAN["reply"])
    assert allowed(api.post(f"{url}/assign/", {"assignee": gestor2.pk}, format="json")) == (persona in CAN["assign"])
    assert allowed(api.post(f"{url}/resolve/")) == (persona in CAN["reply"])
    new_channel = {"kind": "web", "name": "Otra web", "key": f"web-{persona}", "credentials": {"secret": "s"}}
    assert allowed(api.post("/api/v1/channels/", new_channel, format="json")) == (persona in CAN["channels"])
    assert Channel.objects.filter(key=f"web-{persona}").exists() == (persona in CAN["channels"])
    if persona not in CAN["reply"]:
        assert not Message.objects.filter(direction__in=["out", "note"]).exists()


def test_credentials_never_leave(api_as, cm, web_channel):
    api = api_as(cm)
    for response in (
        api.get("/api/v1/channels/"),
        api.get(f"/api/v1/channels/{web_channel.pk}/"),
        api.patch(f"/api/v1/channels/{web_channel.pk}/", {"credentials": {"secret": "rotated-secret"}}, format="json"),
        api.post(
            "/api/v1/channels/",
            {"kind": "web", "name": "W", "key": "w2", "credentials": {"secret": "brand-new"}},
            format="json",
        ),
    ):
        assert response.status_code in (200, 201), response.content
        for secret in (b"web-secret", b"rotated-secret", b"brand-new"):
            assert secret not in response.content
    web_channel.refresh_from_db()
    assert web_channel.credentials == {"secret": "rotated-secret"}
    assert api.get(f"/api/v1/channels/{web_channel.pk}/").json()["has_credentials"] is True
