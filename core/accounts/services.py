"""Two-factor devices, backup codes and the password-reset allowance.

Every function takes keyword-only arguments; views call these, not the models.
"""

import base64
import hashlib
import logging
import re

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# The one place that knows where roles live (moving to core.roles).
from core.roles import user_roles

log = logging.getLogger(__name__)

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
_TOTP_CODE = re.compile(r"^\d{6}$")


def two_factor_enabled(*, user: AbstractBaseUser) -> bool:
    """True when ``user`` has a confirmed device: signing in asks for a code."""
    return user_has_device(user, confirmed=True)


def two_factor_required(*, user: AbstractBaseUser) -> bool:
    """True when a role of ``user`` is one that must sign in with a second factor."""
    required = {role.strip() for role in settings.MOSTRADOR_2FA_REQUIRED_ROLES if role.strip()}
    return bool(required & user_roles(user))


def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed authenticator device being set up (the same one until
    confirmed, so reloading the page does not change the key already scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_device_secret(*, device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def totp_device_confirm(*, user: AbstractBaseUser, code: str) -> TOTPDevice | None:
    """Confirm the device being set up with a code from the app; return it, or
    None when the code is wrong. Other authenticator devices are removed."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None or not device.verify_token(_clean(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    log.info("Two-factor sign-in enabled for user %s", user.pk)
    return device


@transaction.atomic
def backup_codes_issue(*, user: AbstractBaseUser, count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Replace the backup codes of ``user`` with ``count`` new one-time codes."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def backup_codes_left(*, user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def two_factor_disable(*, user: AbstractBaseUser) -> None:
    """Remove every device of ``user``: signing in takes the password alone again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log.info("Two-factor sign-in disabled for user %s", user.pk)


@transaction.atomic
def two_factor_verify(*, user: AbstractBaseUser, code: str) -> Device | None:
    """The confirmed device that accepts ``code`` (six digits: the authenticator
    app; otherwise a backup code, which then stops working), or None.

    django-otp throttles each device after failures and refuses a TOTP code
    already used, so a code seen over someone's shoulder cannot be replayed.
    """
    code = _clean(code)
    if not code:
        return None
    wanted = TOTPDevice if _TOTP_CODE.match(code) else StaticDevice
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if isinstance(device, wanted) and device.verify_token(code):
            return device
    return None


def password_reset_allowed(*, email: str, client_address: str | None) -> bool:
    """Count a reset request; False once this address (or this client) asked for
    too many in the last hour. Nothing tells the requester either way."""
    per_hour = settings.MOSTRADOR_PASSWORD_RESET_PER_HOUR
    keys = [
        ("email", hashlib.sha256(email.strip().lower().encode()).hexdigest(), per_hour),
        # One client asking for many addresses: a mail bomb, or a probe.
        ("client", client_address or "unknown", per_hour * 4),
    ]
    allowed = True
    for kind, ident, limit in keys:
        key = f"accounts:password-reset:{kind}:{ident}"
        cache.add(key, 0, timeout=60 * 60)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=60 * 60)
            count = 1
        if count > limit:
            allowed = False
    if not allowed:
        log.warning("Password reset e-mail not sent: more than the hourly limit requested")
    return allowed


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()
