import pytest
from django.core.cache import cache
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture(autouse=True)
def _clean_slate(settings):
    cache.clear()  # throttles and reset allowances live in the (process-wide) locmem cache
    settings.MOSTRADOR_TRUSTED_PROXIES = 0
    settings.MOSTRADOR_2FA_REQUIRED_ROLES = []
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's per-device back-off, tested on its own side
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    yield
    cache.clear()


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def enrolled(client, password):
    """Enrol ``user`` in two-factor sign-in through the pages; return (device, backup codes)."""

    def enrol(user):
        client.force_login(user)
        page = client.get("/accounts/security/two-factor/")
        assert page.status_code == 200
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        response = client.post("/accounts/security/two-factor/", {"code": totp_code(device)})
        assert response.status_code == 200
        codes = list(response.context["codes"])
        device.refresh_from_db()
        assert device.confirmed
        # As if enrolment was a while ago: the current code is not a replay.
        device.last_t = -1
        device.save()
        client.logout()
        return device, codes

    return enrol
