"""Accepting webhook deliveries: verify, store raw, queue. Nothing is lost:
rejected deliveries are recorded too, with the reason."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from channels.connectors.base import MalformedPayload, WebhookRejected, WebhookRequest
from channels.connectors.registry import connector_for, kinds
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
    bounds how long an edit takes to apply; 0 turns the memory off."""
    if kind not in kinds():
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
    kept_headers = _kept(headers)
    channel = _active_channel(kind, key)

    def refuse(status: int, error: str) -> WebhookRefused:
        return _refused(
            status, error, channel=channel, kind=kind, body=body, headers=kept_headers, remote_addr=remote_addr
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

    return _accepted(channel, kind=kind, body=body, headers=kept_headers, remote_addr=remote_addr, items=len(items))


def _kept(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.lower() not in _SECRET_HEADERS}


def _refused(status: int, error: str, *, channel, kind: str, body: bytes, headers: dict, remote_addr) -> WebhookRefused:
    """Record a refused delivery (the reason, the headers, the body up to 64 KiB)."""
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


def _accepted(channel, *, kind: str, body: bytes, headers: dict, remote_addr, items: int) -> InboundEvent:
    """Store an accepted delivery and have it drained after commit."""
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


def x_delivery_receive(*, body: bytes, headers: Mapping[str, str], remote_addr: str | None) -> InboundEvent:
    """An Account Activity delivery to the app's one URL: verified with the app's
    consumer secret, routed to the X channel of ``for_user_id``. Refusals are
    recorded (a delivery for an account with no channel too, to replay later)."""
    import json

    from channels.connectors.x.connector import XConnector

    kept = _kept(headers)

    def refuse(status: int, error: str, channel=None) -> WebhookRefused:
        return _refused(status, error, channel=channel, kind="x", body=body, headers=kept, remote_addr=remote_addr)

    if len(body) > settings.MOSTRADOR_WEBHOOK_MAX_BYTES:
        raise refuse(413, f"Body larger than {settings.MOSTRADOR_WEBHOOK_MAX_BYTES} bytes.")
    try:
        XConnector.verify_signature(WebhookRequest(body=body, headers=headers))
    except WebhookRejected as exc:
        raise refuse(403, str(exc)) from exc
    try:
        user_id = str(json.loads(body)["for_user_id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise refuse(400, f"Not an Account Activity delivery: {exc!r}") from exc
    channel = Channel.objects.filter(kind="x", external_account_id=user_id, active=True).first()
    if channel is None:
        raise refuse(404, f"No active X channel for account {user_id}.")
    try:
        items = connector_for(channel).parse_webhook(body)
    except MalformedPayload as exc:
        raise refuse(400, str(exc), channel) from exc
    return _accepted(channel, kind="x", body=body, headers=kept, remote_addr=remote_addr, items=len(items))


META_KINDS = {"page": "facebook", "instagram": "instagram"}


def meta_delivery_receive(*, body: bytes, headers: Mapping[str, str], remote_addr: str | None) -> list[InboundEvent]:
    """A Meta app delivery: one body, many entries for many pages and accounts.

    Verified with the app secret (``X-Hub-Signature-256``), then stored per
    channel before anything else happens: the entries of each page or account
    become one accepted event of its channel; entries for an account with no
    channel are recorded as rejected (to replay once the channel exists).
    Returns the accepted events; raises ``WebhookRefused`` for the whole delivery.
    """
    import json

    from channels.connectors.signatures import signature_matches

    kept = _kept(headers)

    def refuse(status: int, error: str) -> WebhookRefused:
        return _refused(status, error, channel=None, kind="meta", body=body, headers=kept, remote_addr=remote_addr)

    if len(body) > settings.MOSTRADOR_WEBHOOK_MAX_BYTES:
        raise refuse(413, f"Body larger than {settings.MOSTRADOR_WEBHOOK_MAX_BYTES} bytes.")
    signature = {k.lower(): v for k, v in headers.items()}.get("x-hub-signature-256")
    if not signature_matches(secret=settings.META_APP_SECRET, body=body, header_value=signature):
        raise refuse(403, "Missing or wrong X-Hub-Signature-256.")
    try:
        delivery = json.loads(body)
        kind = META_KINDS[delivery["object"]]
        entries = list(delivery["entry"])
    except (ValueError, KeyError, TypeError) as exc:
        raise refuse(400, f"Not a Meta delivery: {exc!r}") from exc
    by_account: dict[str, list] = {}
    for entry in entries:
        by_account.setdefault(str(entry.get("id")), []).append(entry)
    channels = {
        c.external_account_id: c
        for c in Channel.objects.filter(kind=kind, external_account_id__in=by_account, active=True)
    }
    accepted = []
    with transaction.atomic():
        for account, account_entries in by_account.items():
            part = json.dumps({"object": delivery["object"], "entry": account_entries}).encode()
            channel = channels.get(account)
            if channel is None:
                _refused(
                    404,
                    f"No active {kind} channel for account {account}.",
                    channel=None,
                    kind=kind,
                    body=part,
                    headers=kept,
                    remote_addr=remote_addr,
                )
                continue
            try:
                items = connector_for(channel).parse_webhook(part)
            except MalformedPayload as exc:
                _refused(400, str(exc), channel=channel, kind=kind, body=part, headers=kept, remote_addr=remote_addr)
                continue
            accepted.append(
                _accepted(channel, kind=kind, body=part, headers=kept, remote_addr=remote_addr, items=len(items))
            )
    return accepted
