"""Issuing, checking and revoking API tokens (``core.accounts.models.ApiToken``).

A token lives ``MOSTRADOR_API_TOKEN_HOURS`` (from the environment) after it is
issued; an expired or revoked token answers 401 like an unknown one.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core.accounts.models import ApiToken, token_digest

# last_used_at is written at most this often per token: not a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def token_issue(*, user: User) -> tuple[str, ApiToken]:
    """Return a new token for ``user`` (the only time it is seen) and its row."""
    key = secrets.token_hex(20)
    expires_at = timezone.now() + timedelta(hours=settings.MOSTRADOR_API_TOKEN_HOURS)
    token = ApiToken.objects.create(user=user, digest=token_digest(key), expires_at=expires_at)
    return key, token


def token_revoke(*, token: ApiToken) -> None:
    """Revoke one token from now on (idempotent)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of ``user``; return how many were live."""
    now = timezone.now()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).update(revoked_at=now)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, for a token neither expired nor revoked."""

    model = ApiToken

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None or token.revoked_at is not None or token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
