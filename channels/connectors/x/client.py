"""One tweepy client per X account, pointed at the real API or a local fake one.

tweepy builds every URL on ``https://api.twitter.com``; a transport adapter
mounted on that prefix sends the requests to ``settings.X_API_BASE_URL``
instead when it is set (the demo's and the tests' fake X API). Errors become
``ConnectorError``: 429 carries the reset time, 401 and 403 are permanent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests
import tweepy
from django.conf import settings
from requests.adapters import HTTPAdapter

from channels.connectors.base import ConnectorError

TWEEPY_HOST = "https://api.twitter.com"


class _Redirect(HTTPAdapter):
    def __init__(self, base_url: str):
        super().__init__(max_retries=0)
        self.base_url = base_url.rstrip("/")

    def send(self, request, **kwargs):
        request.url = self.base_url + request.url[len(TWEEPY_HOST) :]
        kwargs.setdefault("timeout", settings.X_API_TIMEOUT)
        return super().send(request, **kwargs)


class _Timeout(HTTPAdapter):
    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = settings.X_API_TIMEOUT
        return super().send(request, **kwargs)


def x_client(credentials: dict) -> tweepy.Client:
    """A client that returns the API's JSON as dicts and never sleeps on a rate limit."""
    client = tweepy.Client(
        bearer_token=credentials.get("bearer_token"),
        consumer_key=credentials.get("consumer_key"),
        consumer_secret=credentials.get("consumer_secret"),
        access_token=credentials.get("access_token"),
        access_token_secret=credentials.get("access_token_secret"),
        return_type=dict,
        wait_on_rate_limit=False,
    )
    session = requests.Session()
    base = settings.X_API_BASE_URL
    session.mount(TWEEPY_HOST, _Redirect(base) if base and base.rstrip("/") != TWEEPY_HOST else _Timeout())
    client.session = session
    return client


@contextmanager
def x_errors(action: str) -> Iterator[None]:
    """Turn tweepy's and the network's errors into ``ConnectorError``."""
    try:
        yield
    except tweepy.TooManyRequests as exc:
        reset = getattr(exc, "reset_time", None)
        wait = max(reset - time.time(), 1) if reset else 900
        raise ConnectorError(f"X rate limit while {action}; allowed again in {int(wait)} s.", retry_after=wait) from exc
    except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
        raise ConnectorError(f"X refused the credentials while {action}: {_detail(exc)}", credentials=True) from exc
    except tweepy.BadRequest as exc:
        raise ConnectorError(f"X refused the request while {action}: {_detail(exc)}", permanent=True) from exc
    except (tweepy.TwitterServerError, tweepy.HTTPException) as exc:
        raise ConnectorError(f"X failed while {action}: {_detail(exc)}") from exc
    except requests.RequestException as exc:
        raise ConnectorError(f"Could not reach X while {action}: {exc}") from exc


def _detail(exc: tweepy.HTTPException) -> str:
    messages = getattr(exc, "api_messages", None) or getattr(exc, "api_errors", None)
    return f"{exc.response.status_code} {'; '.join(map(str, messages)) if messages else exc.response.reason}"


def media_upload(credentials: dict, *, data: bytes, mime_type: str) -> str:
    """Upload an image for a tweet or a DM (``POST /2/media/upload``, one request for
    images up to 5 MB, user context); return its media id. tweepy's ``Client`` has
    no media upload, so this is signed with OAuth 1.0a directly."""
    from requests_oauthlib import OAuth1

    auth = OAuth1(
        credentials.get("consumer_key"),
        credentials.get("consumer_secret"),
        credentials.get("access_token"),
        credentials.get("access_token_secret"),
    )
    base = (settings.X_API_BASE_URL or "https://api.x.com").rstrip("/")
    response = requests.post(
        f"{base}/2/media/upload",
        auth=auth,
        files={"media": ("image", data, mime_type)},
        data={"media_category": "tweet_image", "media_type": mime_type},
        timeout=settings.X_API_TIMEOUT,
    )
    if response.status_code == 429:
        raise tweepy.TooManyRequests(response)
    if response.status_code in (401, 403):
        raise tweepy.Unauthorized(response) if response.status_code == 401 else tweepy.Forbidden(response)
    if response.status_code >= 500:
        raise tweepy.TwitterServerError(response)
    if response.status_code >= 400:
        raise tweepy.BadRequest(response)
    body = response.json()
    return str((body.get("data") or {}).get("id") or body.get("media_id_string") or body["media_id"])
