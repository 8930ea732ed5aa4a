"""A small typed client for the Graph API on ``requests``.

``facebook-sdk`` (last release 2020) pins Graph API versions that Meta has
retired and knows nothing of Instagram messaging or usage headers, so this
client speaks the current version (``META_GRAPH_VERSION``) directly. Errors
become ``ConnectorError``: an expired or revoked token (code 190) and missing
permissions are permanent; rate limits carry the wait Meta's usage headers
give; timeouts and 5xx are transient.
"""

from __future__ import annotations

import json

import requests
from django.conf import settings

from channels.connectors.base import ConnectorError

# WhatsApp adds 130429 (throughput), 131056 (pair rate) and 80007 (account rate limit).
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006, 80007, 130429, 131056}
# WhatsApp: 131047 outside the 24-hour window, 131026 undeliverable, 131051 unsupported
# type, 132000/132001/132012 template parameters or template missing.
PERMANENT_CODES = {190, 10, 200, 100, 551, 131047, 131026, 131051, 132000, 132001, 132012}


class GraphClient:
    def __init__(self, access_token: str):
        self.access_token = access_token
        self.session = requests.Session()

    def url(self, path: str) -> str:
        return f"{settings.META_GRAPH_BASE_URL.rstrip('/')}/{settings.META_GRAPH_VERSION}/{path.lstrip('/')}"

    def post(self, path: str, payload: dict) -> dict:
        return self._call("POST", path, json=payload)

    def get(self, path: str, params: dict | None = None) -> dict:
        return self._call("GET", path, params=params or {})

    def _call(self, method: str, path: str, **kwargs) -> dict:
        headers = {"Authorization": f"Bearer {self.access_token}"}
        try:
            response = self.session.request(
                method, self.url(path), headers=headers, timeout=settings.META_GRAPH_TIMEOUT, **kwargs
            )
        except requests.RequestException as exc:
            raise ConnectorError(f"Could not reach the Graph API: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code < 400 and "error" not in body:
            return body
        raise graph_error(response.status_code, body.get("error", {}), response.headers)


def graph_error(status: int, error: dict, headers) -> ConnectorError:
    code = error.get("code")
    message = f"Graph API {status}: {error.get('message', 'error')} (code {code}, subcode {error.get('error_subcode')})"
    if code in RATE_LIMIT_CODES or status == 429:
        return ConnectorError(message, retry_after=usage_wait(headers))
    if code == 190:
        return ConnectorError(message, credentials=True)
    if code in PERMANENT_CODES or status in (401, 403):
        return ConnectorError(message, permanent=True)
    return ConnectorError(message)


def usage_wait(headers) -> float:
    """Seconds until Meta allows calls again, from ``X-Business-Use-Case-Usage``
    (``estimated_time_to_regain_access``, minutes); 5 minutes if it does not say."""
    raw = headers.get("X-Business-Use-Case-Usage") or headers.get("x-business-use-case-usage")
    minutes = 0
    if raw:
        try:
            for entries in json.loads(raw).values():
                for entry in entries:
                    minutes = max(minutes, int(entry.get("estimated_time_to_regain_access", 0)))
        except (ValueError, AttributeError, TypeError):
            minutes = 0
    return max(minutes * 60, 300)
