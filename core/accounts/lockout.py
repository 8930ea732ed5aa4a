"""django-axes, the Mostrador way: two lockout tiers, and a lockout page that
says when to try again."""

import math
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


class TieredLockoutHandler(AxesDatabaseHandler):
    """Lock one account from one address after ``AXES_FAILURE_LIMIT`` failures,
    and one address across accounts after ``MOSTRADOR_LOCKOUT_ADDRESS_LIMIT``.

    Axes compares one number with one limit; the address count is expressed on
    the account scale (``failures * account_limit // address_limit``), which
    reaches the limit exactly when the address reaches its own. The querysets
    come in the order of ``AXES_LOCKOUT_PARAMETERS``: (username, address), address.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if len(counts) != 2:  # another AXES_LOCKOUT_PARAMETERS: plain axes
            return max(counts, default=0)
        account_failures, address_failures = counts
        limit = get_failure_limit(request, credentials)
        scaled = address_failures * limit // max(settings.MOSTRADOR_LOCKOUT_ADDRESS_LIMIT, 1)
        return max(account_failures, scaled)

    def locked_until(self, request, credentials: dict | None = None) -> datetime | None:
        """When the attempts that count against this request stop counting."""
        latest = None
        for attempts in self.get_user_attempts(request, credentials):
            last = attempts.aggregate(last=Max("attempt_time"))["last"]
            if last and (latest is None or last > latest):
                latest = last
        cool_off = get_cool_off(request)
        if latest is None or cool_off is None:
            return None
        return latest + cool_off


def lockout_is_locked(*, request: HttpRequest, username: str) -> bool:
    """True when sign-in as ``username`` from this client is locked out now."""
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def lockout_failure_record(*, request: HttpRequest, username: str) -> bool:
    """Count a failed step of signing in (a wrong two-factor code) like a wrong
    password; return True when it locked the client out."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(request, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The answer while locked out (``AXES_LOCKOUT_CALLABLE``): 429 with Retry-After,
    JSON for the API, a page saying until when and how to get back in otherwise."""
    handler = AxesProxyHandler.get_implementation()
    AxesProxyHandler.update_request(request)
    until = handler.locked_until(request, credentials) if isinstance(handler, TieredLockoutHandler) else None
    if until is None:
        until = timezone.now() + (get_cool_off(request) or settings.AXES_COOLOFF_TIME)
    seconds = max(0, math.ceil((until - timezone.now()).total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        message = _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
        response: HttpResponse = JsonResponse({"detail": message}, status=status)
    else:
        context = {"until": timezone.localtime(until), "minutes": minutes}
        response = render(request, "accounts/locked_out.html", context, status=status)
    response["Retry-After"] = str(seconds)
    return response
