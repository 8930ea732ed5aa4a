"""One small client for Google's REST APIs (Business Profile, YouTube Data) on ``requests``.

Why not ``google-api-python-client``: it builds its methods from discovery
documents fetched at run time (or a bundled copy) and retries on its own; the
few calls Mostrador makes (list reviews, put a reply, list comment threads,
insert a comment, set a moderation status) are plainer as documented REST
calls through one wrapper with timeouts, the house error mapping and a local
fake in the demo and tests. OAuth 2.0 is the refresh-token grant at Google's
token endpoint; the short-lived access token is cached (Django's cache) for
its lifetime less a minute, per refresh token, and dropped on a 401.

Errors become ``ConnectorError``: ``invalid_grant`` (revoked or expired
refresh token) and 401 after a fresh token are credentials errors; quota and
rate limits (403 ``quotaExceeded``/``rateLimitExceeded``, 429) carry the wait
(``Retry-After``, or the next midnight Pacific time for a spent daily YouTube
quota); other 4xx are permanent; timeouts and 5xx are transient.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from channels.connectors.base import ConnectorError

# Reasons Google gives (``error.errors[].reason``) for a spent quota or a rate limit.
DAILY_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
PACIFIC = ZoneInfo("America/Los_Angeles")


def _base(url: str) -> str:
    """``url`` moved onto ``settings.GOOGLE_API_BASE_URL`` when set (the local fake), path kept."""
    fake = settings.GOOGLE_API_BASE_URL.rstrip("/")
    if not fake:
        return url.rstrip("/")
    path = url.split("://", 1)[-1].partition("/")[2]
    return f"{fake}/{path}".rstrip("/")


def token_url() -> str:
    return _base(settings.GOOGLE_OAUTH_TOKEN_URL)


def business_url() -> str:
    return _base(settings.GOOGLE_BUSINESS_API_URL)


def youtube_url() -> str:
    return _base(settings.YOUTUBE_API_URL)


def seconds_to_pacific_midnight(now: datetime | None = None) -> float:
    """Seconds until YouTube's daily quota resets (midnight Pacific time)."""
    now = (now or timezone.now()).astimezone(PACIFIC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=5, microsecond=0)
    return max((midnight - now).total_seconds(), 60.0)


def google_error(status: int, body: dict, headers, *, action: str) -> ConnectorError:
    """The ``ConnectorError`` for one failed Google API answer."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):  # the token endpoint: {"error": "invalid_grant", "error_description": …}
        message = f"Google refused the credentials while {action}: {error} {body.get('error_description', '')}".strip()
        if error in {"invalid_grant", "invalid_client", "unauthorized_client"} or status in (400, 401):
            return ConnectorError(message, credentials=True)
        return ConnectorError(message)
    error = error or {}
    reasons = {str(e.get("reason", "")) for e in error.get("errors") or [] if isinstance(e, dict)}
    message = f"Google API {status} while {action}: {error.get('message') or 'error'}"
    if reasons:
        message += f" ({', '.join(sorted(reasons))})"
    if reasons & DAILY_QUOTA_REASONS:
        return ConnectorError(message, retry_after=seconds_to_pacific_midnight())
    if status == 429 or reasons & RATE_REASONS or error.get("status") == "RESOURCE_EXHAUSTED":
        try:
            wait = float(headers.get("Retry-After") or 60)
        except ValueError:
            wait = 60.0
        return ConnectorError(message, retry_after=wait)
    if status == 401:
        return ConnectorError(message, credentials=True)
    if status >= 500:
        return ConnectorError(message)
    return ConnectorError(message, permanent=True)


class GoogleClient:
    """Calls on behalf of one Google account: ``credentials`` holds ``client_id``,
    ``client_secret`` and ``refresh_token``."""

    def __init__(self, credentials: dict):
        self.credentials = credentials
        self.session = requests.Session()

    @property
    def _cache_key(self) -> str:
        digest = hashlib.sha256(str(self.credentials.get("refresh_token", "")).encode()).hexdigest()[:32]
        return f"google-access-token:{digest}"

    def access_token(self, *, fresh: bool = False) -> str:
        """A valid access token (from the cache unless ``fresh``); raise ``ConnectorError``."""
        if not fresh:
            cached = cache.get(self._cache_key)
            if cached:
                return cached
        for name in ("client_id", "client_secret", "refresh_token"):
            if not self.credentials.get(name):
                raise ConnectorError(f"Google OAuth {name} is not set up.", credentials=True)
        try:
            response = self.session.post(
                token_url(),
                data={
                    "grant_type": "refresh_token",
                    "client_id": self.credentials["client_id"],
                    "client_secret": self.credentials["client_secret"],
                    "refresh_token": self.credentials["refresh_token"],
                },
                timeout=settings.GOOGLE_API_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise ConnectorError(f"Could not reach Google's token endpoint: {exc}") from exc
        body = _json(response)
        if response.status_code >= 400 or not body.get("access_token"):
            raise google_error(response.status_code, body, response.headers, action="refreshing the access token")
        lifetime = int(body.get("expires_in") or 3600)
        cache.set(self._cache_key, body["access_token"], max(lifetime - 60, 30))
        return body["access_token"]

    def call(self, method: str, url: str, *, action: str, params: dict | None = None, json: dict | None = None) -> dict:
        """One API call; the JSON answer ({} when empty). Retries once with a fresh token on 401."""
        for attempt in (1, 2):
            token = self.access_token(fresh=attempt == 2)
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=settings.GOOGLE_API_TIMEOUT,
                )
            except requests.RequestException as exc:
                raise ConnectorError(f"Could not reach Google while {action}: {exc}") from exc
            if response.status_code == 401 and attempt == 1:
                cache.delete(self._cache_key)
                continue
            body = _json(response)
            if response.status_code >= 400:
                raise google_error(response.status_code, body, response.headers, action=action)
            return body
        raise AssertionError("unreachable")


def _json(response: requests.Response) -> dict:
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {"error": {"message": response.text[:300]}}
    return body if isinstance(body, dict) else {}
