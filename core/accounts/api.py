"""The API's sign-in: a token for a username and password (and a code, for an
account with two-factor sign-in), under the same lockout as the pages."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from core.accounts import services
from core.accounts.lockout import lockout_failure_record, lockout_is_locked, lockout_response
from core.accounts.models import ApiToken
from core.accounts.network import client_ip
from core.accounts.tokens import token_issue, token_revoke, tokens_revoke_all


class TokenThrottle(SimpleRateThrottle):
    """Password guessing is slowed down per client address: the real one, not
    whatever X-Forwarded-For says (see MOSTRADOR_TRUSTED_PROXIES)."""

    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


WRONG = "Wrong username or password."


@extend_schema(
    request=inline_serializer(
        "TokenRequest",
        {
            "username": serializers.CharField(),
            "password": serializers.CharField(),
            "code": serializers.CharField(required=False, help_text="two-factor code, for accounts that have one"),
        },
    ),
    responses=inline_serializer(
        "TokenResponse", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
    ),
)
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([TokenThrottle])
def token_obtain(request):
    """Exchange a username and password for an API token.

    A user without a Mostrador role gets a token too, but every other endpoint
    answers 403 for them: the role, not the token, grants access. After too many
    failures the client is locked out (429, with Retry-After), as on the pages.
    """
    username = str(request.data.get("username") or "")
    password = str(request.data.get("password") or "")
    if not (username and password):
        raise ValidationError({"non_field_errors": [WRONG]})
    # The Django request: django-axes marks it, and reads the client from it.
    http_request = request._request
    user = authenticate(http_request, username=username, password=password)
    if getattr(http_request, "axes_locked_out", False):
        return lockout_response(http_request, None, {"username": username})
    if user is None:
        raise ValidationError({"non_field_errors": [WRONG]})
    if services.two_factor_enabled(user=user):
        code = str(request.data.get("code") or "")
        if lockout_is_locked(request=http_request, username=username):
            return lockout_response(http_request, None, {"username": username})
        if not code or services.two_factor_verify(user=user, code=code) is None:
            if lockout_failure_record(request=http_request, username=username):
                return lockout_response(http_request, None, {"username": username})
            raise ValidationError({"code": ["A valid two-factor code is required for this account."]})
    elif services.two_factor_required(user=user):
        raise ValidationError({"non_field_errors": ["Set up two-factor sign-in on the security page first."]})
    key, token = token_issue(user=user)
    return Response({"token": key, "expires_at": serializers.DateTimeField().to_representation(token.expires_at)})


@extend_schema(
    request=inline_serializer(
        "TokenRevokeRequest",
        {"all": serializers.BooleanField(required=False, help_text="every token of the user, not just this one")},
    ),
    responses=inline_serializer("TokenRevokeResponse", {"revoked": serializers.IntegerField()}),
)
@api_view(["POST"])
def token_revoke_view(request):
    """Revoke the token this request carries (from now on it answers 401), or,
    with ``{"all": true}`` (or signed in by session), every token of the user."""
    everything = serializers.BooleanField().to_internal_value(request.data.get("all", False))
    if isinstance(request.auth, ApiToken) and not everything:
        token_revoke(token=request.auth)
        return Response({"revoked": 1})
    return Response({"revoked": tokens_revoke_all(user=request.user)})
