import pytest

pytestmark = pytest.mark.django_db


def test_token_for_good_credentials_works_on_the_api(api, gestor, password, conversation):
    response = api.post("/api/v1/auth/token/", {"username": "gestor1", "password": password}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listing = api.get("/api/v1/conversations/")
    assert listing.status_code == 200
    assert len(listing.json()["results"]) == 1
    # Each sign-in gets its own token; the first one still works.
    again = api.post("/api/v1/auth/token/", {"username": "gestor1", "password": password}, format="json")
    assert again.json()["token"] != token
    assert api.get("/api/v1/conversations/").status_code == 200


@pytest.mark.parametrize("body", [{"username": "gestor1", "password": "wrong"}, {"username": "gestor1"}, {}])
def test_bad_credentials_are_400_with_a_reason(api, gestor, body):
    response = api.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Wrong username or password."]}


def test_token_requests_are_throttled(api, gestor, settings):
    from django.core.cache import cache

    # The throttle on its own: the lockout would stop these wrong passwords at the
    # fifth (tests/accounts/test_lockout.py).
    settings.AXES_ENABLED = False
    cache.clear()
    statuses = [
        api.post("/api/v1/auth/token/", {"username": "gestor1", "password": "x"}, format="json").status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


def test_anonymous_is_refused(api, conversation):
    assert api.get("/api/v1/conversations/").status_code in (401, 403)
    assert api.get("/api/v1/channels/").status_code in (401, 403)


def test_session_auth_works(client, gestor, conversation):
    client.force_login(gestor)
    assert client.get("/api/v1/conversations/").status_code == 200


def test_schema_and_docs_are_served(client, gestor):
    client.force_login(gestor)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/conversations/{id}/reply/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn." not in docs.content  # assets are ours, not a CDN's


@pytest.mark.parametrize("persona", ["anonymous", "outsider"])
def test_schema_and_docs_need_a_role(request, client, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get("/api/schema/").status_code == (401 if persona == "anonymous" else 403)
    assert client.get("/api/docs/").status_code == (401 if persona == "anonymous" else 403)


def test_docs_have_no_inline_script(client, gestor):
    client.force_login(gestor)
    docs = client.get("/api/docs/").content.decode()
    assert "<script>" not in docs  # the start-up script is a file (?script), as the CSP wants
    assert client.get("/api/docs/?script").status_code == 200
