"""Lockout after repeated failed sign-ins, keyed on the real client address."""

import pytest
from axes.models import AccessAttempt
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"


def _login(client, username, password, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def test_five_wrong_passwords_lock_the_account_from_that_address(client, gestor, password):
    statuses = [_login(client, gestor.username, f"wrong-{i}").status_code for i in range(5)]
    assert statuses[:4] == [200] * 4  # the form again, "wrong username or password"
    assert statuses[4] == 429
    locked = _login(client, gestor.username, password)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    body = locked.content.decode()
    assert 'data-testid="locked-out"' in body
    assert "/accounts/password/reset/" in body  # the way back in
    assert int(locked["Retry-After"]) > 14 * 60


def test_the_lockout_page_says_when_in_english_too(client, gestor):
    client.cookies["django_language"] = "en"
    for i in range(5):
        response = _login(client, gestor.username, f"wrong-{i}")
    assert "Try again in 15 minutes, at" in response.content.decode()


def test_the_right_password_works_before_the_limit(client, gestor, password):
    for i in range(4):
        _login(client, gestor.username, f"wrong-{i}")
    response = _login(client, gestor.username, password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(gestor.pk)


def test_lockout_ends_after_the_cool_off(client, gestor, password, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)
    for i in range(5):
        _login(client, gestor.username, f"wrong-{i}")
    time_machine.move_to("2026-03-02 10:14:00+00:00", tick=False)
    assert _login(client, gestor.username, password).status_code == 429
    time_machine.move_to("2026-03-02 10:16:00+00:00", tick=False)
    assert _login(client, gestor.username, password).status_code == 302


def test_another_address_is_not_locked_out_with_the_attacker(client, gestor, password):
    for i in range(5):
        _login(client, gestor.username, f"wrong-{i}", REMOTE_ADDR="203.0.113.9")
    assert _login(client, gestor.username, password, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert _login(client, gestor.username, password, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_spraying_many_accounts_from_one_address_is_locked(client, gestor, password, settings):
    settings.MOSTRADOR_LOCKOUT_ADDRESS_LIMIT = 20
    statuses = [_login(client, f"someone-{i}", "Summer2026!").status_code for i in range(20)]
    assert statuses[:19] == [200] * 19
    assert statuses[19] == 429
    assert _login(client, gestor.username, password).status_code == 429


def test_a_spoofed_forwarded_for_does_not_escape_the_lock(client, gestor, password):
    """No proxy trusted: X-Forwarded-For is the client's own invention."""
    for i in range(5):
        _login(client, gestor.username, f"wrong-{i}", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    response = _login(client, gestor.username, password, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_one_proxy_the_address_it_saw_is_the_client(client, gestor, password, settings):
    settings.MOSTRADOR_TRUSTED_PROXIES = 1
    # The proxy (REMOTE_ADDR 127.0.0.1) appends the address it saw; the client
    # may prepend anything.
    for i in range(5):
        _login(client, gestor.username, f"wrong-{i}", HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.9")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    assert _login(client, gestor.username, password, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # Someone else behind the same proxy signs in.
    assert _login(client, gestor.username, password, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302


def test_the_admin_login_is_locked_too(client, cm, password):
    cm.is_staff = True
    cm.save()
    statuses = [
        client.post(ADMIN_LOGIN, {"username": cm.username, "password": f"wrong-{i}"}).status_code for i in range(5)
    ]
    assert statuses == [200] * 4 + [429]
    response = client.post(ADMIN_LOGIN, {"username": cm.username, "password": password, "next": "/admin/"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The same lock on the app's own login page.
    assert _login(client, cm.username, password).status_code == 429


def test_the_token_endpoint_is_locked_too(gestor, password):
    api = APIClient()
    statuses = [
        api.post(TOKEN, {"username": gestor.username, "password": f"wrong-{i}"}, format="json").status_code
        for i in range(5)
    ]
    assert statuses == [400] * 4 + [429]
    response = api.post(TOKEN, {"username": gestor.username, "password": password}, format="json")
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "Retry-After" in response
    # Failures through the API lock the pages as well: one count per client.
    assert APIClient().post(LOGIN, {"username": gestor.username, "password": password}).status_code == 429


def test_token_throttle_ignores_a_changing_forwarded_for(gestor, settings):
    settings.AXES_ENABLED = False  # the throttle on its own
    api = APIClient()
    statuses = [
        api.post(
            TOKEN, {"username": gestor.username, "password": "x"}, format="json", HTTP_X_FORWARDED_FOR=f"10.1.0.{i}"
        ).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


def test_token_throttle_honours_the_trusted_proxy(gestor, settings):
    settings.AXES_ENABLED = False
    settings.MOSTRADOR_TRUSTED_PROXIES = 1
    api = APIClient()
    for _i in range(20):
        api.post(TOKEN, {"username": "x", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9")
    throttled = api.post(TOKEN, {"username": "x", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert throttled.status_code == 429
    other = api.post(TOKEN, {"username": "x", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 400


def test_drf_reads_the_client_address_like_the_lockout(settings):
    from django.conf import settings as live

    assert live.REST_FRAMEWORK["NUM_PROXIES"] == live.MOSTRADOR_TRUSTED_PROXIES
