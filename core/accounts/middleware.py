"""Session timeouts, and the second factor before anything else."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.accounts import services
from core.memo import read_on_every_page, remembered

LAST_ACTIVITY_KEY = "accounts_last_activity"
SIGNED_IN_AT_KEY = "accounts_signed_in_at"
HAS_DEVICE = "has_device"
read_on_every_page(HAS_DEVICE)
# The session is written at most this often just to move the last activity.
ACTIVITY_RESOLUTION_SECONDS = 60


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _is_background(request) -> bool:
    """A request the page makes by itself (the inbox refreshing every 30 s, a
    sending message polling its state): not a sign that someone is there.
    htmx GETs fired by a named form control (typing in the search box) are."""
    return _is_htmx(request) and request.method == "GET" and not request.headers.get("HX-Trigger-Name")


def _redirect(request, url: str) -> HttpResponse:
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _with_next(url: str, request) -> str:
    if request.method == "GET" and not _is_htmx(request):
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


class SessionTimeoutMiddleware:
    """Sign out after ``SESSION_IDLE_MINUTES`` without activity, and
    ``SESSION_MAX_HOURS`` after signing in whatever the activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            expired = self._check(request)
            if expired:
                logout(request)
                request.user = AnonymousUser()
                if not _is_api(request):
                    messages.info(request, expired)
                    return _redirect(request, _with_next(reverse(settings.LOGIN_URL), request))
        return self.get_response(request)

    def _check(self, request) -> str | None:
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT_KEY)
        last = session.get(LAST_ACTIVITY_KEY)
        if signed_in_at is None:  # signed in before this middleware, or by force_login
            session[SIGNED_IN_AT_KEY] = signed_in_at = now
        if last is None:
            session[LAST_ACTIVITY_KEY] = last = now
        if now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
            return _("You were signed out: sessions last %(hours)d hours at most.") % {
                "hours": settings.SESSION_MAX_HOURS
            }
        if now - last > settings.SESSION_IDLE_MINUTES * 60:
            return _("You were signed out after %(minutes)d minutes without activity.") % {
                "minutes": settings.SESSION_IDLE_MINUTES
            }
        if not _is_background(request) and now - last >= ACTIVITY_RESOLUTION_SECONDS:
            session[LAST_ACTIVITY_KEY] = now
        return None


def session_expired(session, *, now: int | None = None) -> bool:
    """Whether the session is past its idle or its maximum time (read-only)."""
    now = int(time.time()) if now is None else now
    signed_in_at = session.get(SIGNED_IN_AT_KEY)
    last = session.get(LAST_ACTIVITY_KEY)
    if signed_in_at is not None and now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
        return True
    return last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60


def stream_user(session_key: str):
    """The user a long-lived stream (``/live/``, served outside the middleware
    chain) may serve for this session cookie, else None: signed in, the session
    neither idle nor too old, the second factor given where one is needed.
    Reads the session and writes nothing: a page listening is not activity."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.contrib.auth import get_user
    from django_otp.middleware import OTPMiddleware

    if not session_key:
        return None
    holder = SimpleNamespace(session=import_module(settings.SESSION_ENGINE).SessionStore(session_key))
    user = get_user(holder)  # type: ignore[arg-type]
    if not user.is_authenticated or session_expired(holder.session):
        return None
    OTPMiddleware(lambda request: None)._verify_user_sync(holder, user)
    if TwoFactorMiddleware._target(holder, user) is not None:
        return None
    return user


class TwoFactorMiddleware:
    """Until the code is given, a user with a device is only half signed in;
    until a device is set up, a user whose role requires one only reaches the
    set-up pages. Pages redirect there; the API treats the session as
    anonymous (an API token still works). Runs after django-otp's OTPMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request):
            target = self._target(request, user)
            if target is not None and request.path_info != target:
                allowed = {target, reverse("logout"), reverse("set_language"), *self._also_allowed(target)}
                if request.path_info not in allowed:
                    if _is_api(request):
                        request.user = AnonymousUser()
                    else:
                        return _redirect(request, _with_next(target, request))
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        path = request.path_info
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path.startswith((static, "/webhooks/")) or path == "/healthz"

    @staticmethod
    def _target(request, user) -> str | None:
        if user.is_verified():
            return None
        if remembered(HAS_DEVICE, user.pk, lambda: services.two_factor_enabled(user=user)):
            return reverse("accounts:two-factor-code")
        if services.two_factor_required(user=user):
            return reverse("accounts:two-factor-setup")
        return None

    @staticmethod
    def _also_allowed(target: str) -> set[str]:
        if target == reverse("accounts:two-factor-setup"):
            return {reverse("accounts:security"), reverse("accounts:password-change")}
        return set()
