"""Two-factor sign-in: enrol, then the password alone is not enough."""

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.accounts.conftest import totp_code

pytestmark = pytest.mark.django_db


def _password_step(client, user, password, next_url="/"):
    return client.post("/accounts/login/", {"username": user.username, "password": password, "next": next_url})


def test_without_a_device_the_password_is_enough(client, gestor, password):
    response = _password_step(client, gestor, password)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_enrolment_shows_a_qr_code_and_the_key(client, gestor):
    client.force_login(gestor)
    page = client.get("/accounts/security/two-factor/").content.decode()
    assert "<svg" in page
    assert 'data-testid="totp-secret"' in page
    # Reloading keeps the same key (it may have been scanned already).
    client.get("/accounts/security/two-factor/")
    assert TOTPDevice.objects.filter(user=gestor).count() == 1


def test_a_wrong_confirmation_code_enrols_nothing(client, gestor):
    client.force_login(gestor)
    client.get("/accounts/security/two-factor/")
    response = client.post("/accounts/security/two-factor/", {"code": "000000"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=gestor, confirmed=True).exists()


def test_after_enrolment_sign_in_asks_for_the_code(client, gestor, password, enrolled):
    device, codes = enrolled(gestor)
    assert len(codes) == 10
    response = _password_step(client, gestor, password, next_url="/teams/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/code/")
    # Half signed in: every page sends back to the code step, the API sees nobody.
    assert client.get("/")["Location"].startswith("/accounts/login/code/")
    assert client.get("/admin/")["Location"].startswith("/accounts/login/code/")
    assert client.get("/api/v1/conversations/").status_code in (401, 403)

    wrong = client.post("/accounts/login/code/", {"code": "123456", "next": "/teams/"})
    assert wrong.status_code == 200
    assert client.get("/")["Location"].startswith("/accounts/login/code/")

    right = client.post("/accounts/login/code/", {"code": totp_code(device), "next": "/teams/"})
    assert right.status_code == 302
    assert right["Location"] == "/teams/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/conversations/").status_code == 200


def test_a_code_is_not_accepted_twice(client, gestor, password, enrolled):
    device, _codes = enrolled(gestor)
    code = totp_code(device, steps_ahead=1)
    _password_step(client, gestor, password)
    assert client.post("/accounts/login/code/", {"code": code}).status_code == 302
    client.logout()
    _password_step(client, gestor, password)
    again = client.post("/accounts/login/code/", {"code": code})
    assert again.status_code == 200  # refused: replayed


def test_a_backup_code_works_once(client, gestor, password, enrolled):
    _device, codes = enrolled(gestor)
    _password_step(client, gestor, password)
    assert client.post("/accounts/login/code/", {"code": codes[0].upper()}).status_code == 302
    assert client.get("/").status_code == 200
    client.logout()
    _password_step(client, gestor, password)
    assert client.post("/accounts/login/code/", {"code": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=gestor).count() == 9


def test_wrong_codes_count_towards_the_lockout(client, gestor, password, enrolled):
    _device, _codes = enrolled(gestor)
    _password_step(client, gestor, password)
    statuses = [client.post("/accounts/login/code/", {"code": f"00000{i}"}).status_code for i in range(5)]
    assert statuses == [200] * 4 + [429]
    assert "_auth_user_id" not in client.session  # the half-signed-in session ends
    # Locked: the password step is refused now, and so is the right code.
    assert _password_step(client, gestor, password).status_code == 429
    assert client.get("/").status_code == 302


def test_the_admin_asks_the_code_of_a_staff_user_with_a_device(client, cm, password, enrolled):
    cm.is_staff = True
    cm.save()
    device, _codes = enrolled(cm)
    response = client.post("/admin/login/", {"username": cm.username, "password": password, "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/")["Location"].startswith("/accounts/login/code/")
    client.post("/accounts/login/code/", {"code": totp_code(device)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_site_refuses_an_unverified_session_by_itself(rf, cm, enrolled):
    from django.contrib import admin

    cm.is_staff = True
    cm.save()
    enrolled(cm)
    request = rf.get("/admin/")
    cm.is_verified = lambda: False
    request.user = cm
    assert not admin.site.has_permission(request)
    cm.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_the_admin_still_works_for_a_staff_user_without_a_device(client, cm, password):
    cm.is_staff = True
    cm.save()
    client.post("/admin/login/", {"username": cm.username, "password": password, "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_required_roles_must_enrol_before_anything_else(client, cm, gestor, password, settings):
    settings.MOSTRADOR_2FA_REQUIRED_ROLES = ["community_manager", "supervisor"]
    response = _password_step(client, cm, password)
    assert response["Location"] == "/accounts/security/two-factor/"
    assert client.get("/")["Location"].startswith("/accounts/security/two-factor/")
    assert client.get("/channels/")["Location"].startswith("/accounts/security/two-factor/")
    assert client.get("/api/v1/conversations/").status_code in (401, 403)
    assert client.get("/accounts/security/two-factor/").status_code == 200
    device = TOTPDevice.objects.get(user=cm)
    client.post("/accounts/security/two-factor/", {"code": totp_code(device)})
    assert client.get("/").status_code == 200
    # A gestor is offered it, not forced.
    client.logout()
    assert _password_step(client, gestor, password)["Location"] == "/"
    assert client.get("/").status_code == 200


def test_required_roles_cannot_get_an_api_token_without_a_device(cm, password, settings):
    settings.MOSTRADOR_2FA_REQUIRED_ROLES = ["community_manager"]
    response = APIClient().post("/api/v1/auth/token/", {"username": cm.username, "password": password}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_an_api_token_needs_the_code_once_enrolled(gestor, password, enrolled):
    device, _codes = enrolled(gestor)
    api = APIClient()
    body = {"username": gestor.username, "password": password}
    assert api.post("/api/v1/auth/token/", body, format="json").status_code == 400
    response = api.post("/api/v1/auth/token/", {**body, "code": totp_code(device)}, format="json")
    assert response.status_code == 200
    assert response.json()["token"]


def test_turning_it_off_takes_password_and_code(client, gestor, password, enrolled):
    device, _codes = enrolled(gestor)
    _password_step(client, gestor, password)
    client.post("/accounts/login/code/", {"code": totp_code(device)})
    client.post("/accounts/security/two-factor/off/", {"password": "wrong", "code": totp_code(device, steps_ahead=1)})
    assert TOTPDevice.objects.filter(user=gestor).exists()
    client.post("/accounts/security/two-factor/off/", {"password": password, "code": totp_code(device, steps_ahead=1)})
    assert not TOTPDevice.objects.filter(user=gestor).exists()
    client.logout()
    assert _password_step(client, gestor, password)["Location"] == "/"


def test_the_security_page_is_in_the_sidebar(client, gestor):
    client.force_login(gestor)
    html = client.get("/").content.decode()
    assert 'href="/accounts/security/"' in html
    assert client.get("/accounts/security/").status_code == 200


def test_half_signed_in_htmx_requests_are_sent_to_the_code_step(client, gestor, password, enrolled):
    enrolled(gestor)
    _password_step(client, gestor, password)
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/code/"
