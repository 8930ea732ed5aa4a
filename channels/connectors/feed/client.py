"""Fetching a feed: one conditional GET with timeouts and a size cap.

``feed_fetch`` sends the ``ETag`` and ``Last-Modified`` the previous answer
gave (``If-None-Match``, ``If-Modified-Since``), so an unchanged feed costs a
``304`` and no parsing. The body is read in chunks and refused past
``settings.FEED_MAX_BYTES``: a feed is a few hundred kilobytes, and a server
that streams without end must not fill a worker's memory. Errors become
``ConnectorError``: 429 and 503 carry ``Retry-After``, 404 and 410 are
permanent (the watch keeps its schedule, with backoff, and shows the error).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.utils import timezone

from channels.connectors.base import ConnectorError

USER_AGENT = "Mostrador feed reader (+https://github.com/mostrador)"


@dataclass(frozen=True)
class FeedResponse:
    """One fetch: ``not_modified`` (a 304, ``body`` empty) or the body and the
    validators to send next time."""

    not_modified: bool
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max((parsedate_to_datetime(value) - timezone.now()).total_seconds(), 1.0)
    except (TypeError, ValueError):
        return None


def feed_fetch(url: str, *, etag: str = "", last_modified: str = "") -> FeedResponse:
    """GET ``url`` conditionally; return the body or ``not_modified``.

    Raises ``ConnectorError``: transient for timeouts, connection errors, 5xx and
    429 (with ``retry_after``); permanent for 404, 410 and 401/403, a URL that is
    not http(s), and a body larger than ``settings.FEED_MAX_BYTES``.
    """
    if urlparse(url).scheme not in ("http", "https"):
        raise ConnectorError(f"Not an http(s) address: {url}", permanent=True)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, application/xml, */*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    limit = settings.FEED_MAX_BYTES
    try:
        with requests.get(url, headers=headers, timeout=settings.FEED_TIMEOUT, stream=True) as response:
            status = response.status_code
            if status == 304:
                return FeedResponse(not_modified=True, etag=etag, last_modified=last_modified)
            if status in (429, 503):
                raise ConnectorError(
                    f"The site answered {status}: too many requests.",
                    retry_after=_retry_after(response.headers.get("Retry-After")),
                )
            if status >= 500:
                raise ConnectorError(f"The site answered {status}.")
            if status >= 400:
                raise ConnectorError(f"The site answered {status} for {url}.", permanent=True)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise ConnectorError(f"The feed is larger than {limit // 1024} KB.", permanent=True)
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise ConnectorError(f"The feed is larger than {limit // 1024} KB.", permanent=True)
                chunks.append(chunk)
            return FeedResponse(
                not_modified=False,
                body=b"".join(chunks),
                etag=response.headers.get("ETag", "")[:200],
                last_modified=response.headers.get("Last-Modified", "")[:100],
                content_type=response.headers.get("Content-Type", ""),
            )
    except requests.Timeout as exc:
        raise ConnectorError(f"The site did not answer in {settings.FEED_TIMEOUT} s.") from exc
    except requests.RequestException as exc:
        raise ConnectorError(f"The site could not be reached: {type(exc).__name__}.") from exc
