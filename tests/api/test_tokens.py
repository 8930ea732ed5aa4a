"""API tokens expire and can be revoked; only their digest is stored."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from core.accounts.models import ApiToken, token_digest

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the token endpoint's throttle counts in the cache


def sign_in(api, password, username="gestor1") -> str:
    response = api.post(TOKEN_URL, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(api, token):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_token_is_stored_as_a_digest_and_says_when_it_expires(api, gestor, password, settings):
    settings.MOSTRADOR_API_TOKEN_HOURS = 2
    response = api.post(TOKEN_URL, {"username": "gestor1", "password": password}, format="json")
    key = response.json()["token"]
    row = ApiToken.objects.get(user=gestor)
    assert row.digest == token_digest(key)
    assert key not in {row.digest, str(row.pk)}
    expected = timezone.now() + timedelta(hours=2)
    assert abs(row.expires_at - expected) < timedelta(seconds=30)
    assert datetime.fromisoformat(response.json()["expires_at"]) == row.expires_at


def test_an_expired_token_is_401(api, gestor, password, settings, conversation):
    settings.MOSTRADOR_API_TOKEN_HOURS = 1
    token = sign_in(api, password)
    with_token(api, token)
    assert api.get("/api/v1/conversations/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=59)):
        assert api.get("/api/v1/conversations/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        response = api.get("/api/v1/conversations/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


def test_revoking_a_token_ends_it_and_only_it(api, gestor, password, conversation):
    first = sign_in(api, password)
    second = sign_in(api, password)
    revoked = with_token(api, first).post(REVOKE_URL, format="json")
    assert revoked.status_code == 200
    assert revoked.json() == {"revoked": 1}
    assert with_token(api, first).get("/api/v1/conversations/").status_code == 401
    assert with_token(api, second).get("/api/v1/conversations/").status_code == 200


def test_revoking_all_tokens(api, gestor, password, conversation):
    first = sign_in(api, password)
    second = sign_in(api, password)
    assert with_token(api, second).post(REVOKE_URL, {"all": True}, format="json").json() == {"revoked": 2}
    for token in (first, second):
        assert with_token(api, token).get("/api/v1/conversations/").status_code == 401


def test_signed_in_by_session_revoke_ends_every_token(api, client, gestor, password, conversation):
    token = sign_in(api, password)
    client.force_login(gestor)
    assert client.post(REVOKE_URL).json() == {"revoked": 1}
    assert with_token(api, token).get("/api/v1/conversations/").status_code == 401


def test_unknown_token_and_revoke_without_credentials(api, gestor):
    assert with_token(api, "0" * 40).get("/api/v1/conversations/").status_code == 401
    api.credentials()
    assert api.post(REVOKE_URL).status_code in (401, 403)
