"""Accepting webhook deliveries: verify, store raw, queue. Nothing is lost:
rejected deliveries are recorded too, with the reason.

``webhook_receive`` serves the networks that give each channel its own URL
(``/webhooks/<kind>/<key>/``). Networks with one URL per app (X, Meta) route
their deliveries in their own package (``connectors/<network>/webhook.py``)
with the helpers here: ``delivery_refused`` and ``delivery_accepted``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from channels.connectors.base import MalformedPayload, WebhookRejected, WebhookRequest
from channels.connectors.registry import connector_class, connector_for, kinds
from channels.inbound import inbound_events_accepted
from channels.models import Channel, InboundEvent

# Kept for the record, without what could let someone act as the sender.
_SECRET_HEADERS = {"cookie", "authorization", "proxy-authorization"}
_REJECTED_BODY_LIMIT = 64 * 1024


@dataclass
class WebhookRefused(Exception):
    """A delivery that was recorded as rejected; ``status`` is the HTTP answer."""

    status: int
    error: str
    event: InboundEvent


_channels: dict[tuple[str, str], tuple[float, Channel | None]] = {}


def _active_channel(kind: str, key: str) -> Channel | None:
    """The active channel at ``/webhooks/<kind>/<key>/``, remembered for a few
    seconds per process: webhooks come in bursts and the row (with its
    credentials to decrypt) rarely changes. ``MOSTRADOR_CHANNEL_CACHE_SECONDS``
    bounds how long an edit takes to apply; 0 turns the memory off. Kinds that
    receive on an app-level URL have no per-channel one."""
    if kind not in kinds() or connector_class(kind).webhook_urls():
        return None
    ttl = settings.MOSTRADOR_CHANNEL_CACHE_SECONDS
    now = time.monotonic()
    cached = _channels.get((kind, key))
    if cached and cached[0] > now:
        return cached[1]
    channel = Channel.objects.filter(kind=kind, key=key, active=True).first()
    if ttl > 0:
        _channels[(kind, key)] = (now + ttl, channel)
    return channel


def webhook_receive(
    *, kind: str, key: str, body: bytes, headers: Mapping[str, str], remote_addr: str | None
) -> InboundEvent:
    """Store an authentic, well-formed delivery and schedule its processing.

    Returns the accepted ``InboundEvent``; raises ``WebhookRefused`` (404 unknown
    channel, 413 too large, 403 forged or unsigned, 400 malformed) after
    recording the delivery as rejected.
    """
    kept = headers_kept(headers)
    channel = _active_channel(kind, key)

    def refuse(status: int, error: str) -> WebhookRefused:
        return delivery_refused(
            status, error, channel=channel, kind=kind, body=body, headers=kept, remote_addr=remote_addr
        )

    if channel is None:
        raise refuse(404, f"No active {kind} channel with key {key!r}.")
    if len(body) > settings.MOSTRADOR_WEBHOOK_MAX_BYTES:
        raise refuse(413, f"Body larger than {settings.MOSTRADOR_WEBHOOK_MAX_BYTES} bytes.")
    connector = connector_for(channel)
    try:
        connector.verify_webhook(WebhookRequest(body=body, headers=headers))
    except WebhookRejected as exc:
        raise refuse(403, str(exc)) from exc
    try:
        items = connector.parse_webhook(body)
    except MalformedPayload as exc:
        raise refuse(400, str(exc)) from exc
    return delivery_accepted(channel, kind=kind, body=body, headers=kept, remote_addr=remote_addr, items=len(items))


def headers_kept(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers worth recording with a delivery: all but credentials."""
    return {name: value for name, value in headers.items() if name.lower() not in _SECRET_HEADERS}


def delivery_refused(
    status: int,
    error: str,
    *,
    channel: Channel | None,
    kind: str,
    body: bytes,
    headers: dict,
    remote_addr: str | None,
) -> WebhookRefused:
    """Record a refused delivery (the reason, the headers, the body up to 64 KiB);
    return the exception to raise."""
    event = InboundEvent.objects.create(
        channel=channel,
        kind=kind[:20],
        status=InboundEvent.Status.REJECTED,
        body=body[:_REJECTED_BODY_LIMIT],
        headers=headers,
        remote_addr=remote_addr,
        error=error,
    )
    return WebhookRefused(status=status, error=error, event=event)


def delivery_accepted(
    channel: Channel, *, kind: str, body: bytes, headers: dict, remote_addr: str | None, items: int
) -> InboundEvent:
    """Store an accepted delivery and have it processed after commit."""
    event = InboundEvent.objects.create(
        channel=channel,
        kind=kind,
        status=InboundEvent.Status.ACCEPTED,
        body=body,
        headers=headers,
        remote_addr=remote_addr,
        item_count=items,
    )
    inbound_events_accepted()
    return event


def delivery_too_large(body: bytes) -> str | None:
    """Why ``body`` is refused for its size, or None."""
    if len(body) > settings.MOSTRADOR_WEBHOOK_MAX_BYTES:
        return f"Body larger than {settings.MOSTRADOR_WEBHOOK_MAX_BYTES} bytes."
    return None
