"""Accepting webhook deliveries: verify, store raw, queue. Nothing is lost:
rejected deliveries are recorded too, with the reason.

``webhook_receive`` serves the networks that give each channel its own URL
(``/webhooks/<kind>/<key>/``). Networks with one URL per app (X, Meta) route
their deliveries in their own package (``connectors/<network>/webhook.py``)
with the helpers here: ``delivery_refused`` and ``delivery_accepted``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from channels.connectors.base import MalformedPayload, WebhookRejected, WebhookRequest, clean_data, clean_text
from channels.connectors.registry import connector_class, connector_for, kinds
from channels.inbound import inbound_events_accepted
from channels.models import Channel, InboundEvent, RefusalCount

logger = logging.getLogger(__name__)

# Kept for the record, without what could let someone act as the sender.
_SECRET_HEADERS = {"cookie", "authorization", "proxy-authorization"}
# What is kept of a delivery refused before it proved authentic: its first
# bytes and a bounded set of headers. Authentic deliveries are stored whole.
UNSIGNED_BODY_LIMIT = 1024
_HEADERS_LIMIT, _HEADER_VALUE_LIMIT = 40, 512
# The public answer to a delivery that did not prove authentic, whatever the
# reason (unknown key, inactive channel, missing or wrong signature): keys
# cannot be told apart from outside.
NOT_AUTHENTIC = "Signature missing or wrong, or no such channel."


@dataclass
class WebhookRefused(Exception):
    """A refused delivery; ``status`` is the HTTP answer, ``error`` what the
    sender is told, ``event`` the rejected record (None when only counted)."""

    status: int
    error: str
    event: InboundEvent | None


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

    def refuse(status: int, error: str, *, signed: bool = True) -> WebhookRefused:
        return delivery_refused(
            status,
            error,
            channel=channel,
            kind=kind,
            body=body,
            headers=kept,
            remote_addr=remote_addr,
            signed=signed,
        )

    if too_large := delivery_too_large(body):
        raise refuse(413, too_large, signed=False)
    if channel is None:
        # Spend what a signature check costs, so an unknown key answers like a wrong signature.
        hmac.compare_digest(hmac.new(b"-", body, hashlib.sha256).hexdigest(), "-" * 64)
        raise refuse(403, f"No active {kind} channel with key {key!r}.", signed=False)
    connector = connector_for(channel)
    try:
        connector.verify_webhook(WebhookRequest(body=body, headers=headers))
    except WebhookRejected as exc:
        raise refuse(403, str(exc), signed=False) from exc
    try:
        items = connector.parse_report(body, source="webhook").items
    except (MalformedPayload, RecursionError) as exc:
        raise refuse(400, malformed_reason(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - a parser bug: kept whole as a failed event, logged
        return delivery_failed(channel, kind=kind, body=body, headers=kept, remote_addr=remote_addr, exc=exc)
    return delivery_accepted(channel, kind=kind, body=body, headers=kept, remote_addr=remote_addr, items=len(items))


def malformed_reason(exc: Exception) -> str:
    """What the sender of an unreadable delivery is told."""
    if isinstance(exc, RecursionError):
        return "Body nests JSON too deeply to read."
    return str(exc)


def delivery_failed(
    channel: Channel, *, kind: str, body: bytes, headers: dict, remote_addr: str | None, exc: Exception
) -> InboundEvent:
    """Keep an authentic delivery that its connector failed to read (a bug, an
    unknown shape) as a failed event, whole: the Community Manager sees it on
    the channel page and replays it once the connector is mended. The network
    is answered as for an accepted one, so it does not retry for ever."""
    logger.exception("Parsing a %s delivery for channel %s failed.", kind, channel.pk)
    return InboundEvent.objects.create(
        channel=channel,
        kind=kind,
        status=InboundEvent.Status.FAILED,
        body=body,
        headers=headers,
        remote_addr=remote_addr,
        error=clean_text(f"{type(exc).__name__}: {exc}")[:2000],
    )


def headers_kept(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers worth recording with a delivery: all but credentials, bounded, clean."""
    kept = {}
    for name, value in list(headers.items())[:_HEADERS_LIMIT]:
        if name.lower() not in _SECRET_HEADERS:
            kept[clean_text(str(name))[:100]] = clean_text(str(value))[:_HEADER_VALUE_LIMIT]
    return kept


def delivery_refused(
    status: int,
    error: str,
    *,
    channel: Channel | None,
    kind: str,
    body: bytes,
    headers: dict,
    remote_addr: str | None,
    signed: bool = True,
) -> WebhookRefused:
    """Record a refused delivery; return the exception to raise.

    ``signed``: the delivery proved authentic (the network signed it) and is
    kept whole, to replay once the cause is fixed (a channel set up, a parser
    mended). Otherwise anyone could have sent it: it is counted per address and
    day, and only the first ``MOSTRADOR_REFUSALS_RECORDED_PER_HOUR`` per address
    are kept, with their first bytes; the sender is told only ``NOT_AUTHENTIC``.
    """
    error = clean_text(error)[:2000]
    if not signed:
        _refusal_count(kind=kind, remote_addr=remote_addr, error=error)
        if not _refusal_recordable(remote_addr):
            return WebhookRefused(status=status, error=NOT_AUTHENTIC if status == 403 else error, event=None)
        body = body[:UNSIGNED_BODY_LIMIT]
    event = InboundEvent.objects.create(
        channel=channel,
        kind=kind[:20],
        status=InboundEvent.Status.REJECTED,
        body=body,
        headers=clean_data(headers),
        remote_addr=remote_addr,
        error=error,
        authentic=signed,
    )
    public = NOT_AUTHENTIC if status == 403 else error
    return WebhookRefused(status=status, error=public, event=event)


def _refusal_recordable(remote_addr: str | None) -> bool:
    """Whether this address may still have a refusal recorded in full this hour."""
    key = f"webhook-refusals:{remote_addr or '-'}:{int(time.time() // 3600)}"
    try:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key) <= settings.MOSTRADOR_REFUSALS_RECORDED_PER_HOUR
    except Exception:  # the cache is down: record, the disk bound is the lesser risk
        logger.warning("Cache unavailable; refusal recorded without a rate limit.", exc_info=True)
        return True


def _refusal_count(*, kind: str, remote_addr: str | None, error: str) -> None:
    now = timezone.now()
    key = {"day": timezone.localdate(now), "remote_addr": remote_addr or "", "kind": kind[:20]}
    counted = {"count": F("count") + 1, "last_at": now, "last_error": error[:300]}
    if RefusalCount.objects.filter(**key).update(**counted):
        return
    try:
        with transaction.atomic():
            RefusalCount.objects.create(**key, count=1, last_at=now, last_error=error[:300])
    except IntegrityError:  # another request created it first
        RefusalCount.objects.filter(**key).update(**counted)


def delivery_accepted(
    channel: Channel, *, kind: str, body: bytes, headers: dict, remote_addr: str | None, items: int
) -> InboundEvent:
    """Store an accepted delivery and have it processed after commit."""
    event = _event_insert(
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


_insert_sql: dict[str, tuple[str, list, dict]] = {}


def _event_insert(*, channel: Channel, **values) -> InboundEvent:
    """``InboundEvent.objects.create(...)`` in one prepared INSERT: what every
    accepted delivery costs, without the ORM's compilation of the same statement
    each time (a third of a webhook's CPU). Columns and defaults come from the
    model, so a new field is stored with its default as ``create`` would."""
    vendor = connection.vendor
    if vendor not in _insert_sql:
        meta = InboundEvent._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        returning = (
            " RETURNING " + quote(str(meta.pk.column)) if connection.features.can_return_columns_from_insert else ""
        )
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}){returning}"  # noqa: S608 - names from _meta
        # Constant defaults (not a callable, not a time) are the same every time.
        constants = {
            f.attname: f.get_default()
            for f in fields
            if not callable(f.default) and not getattr(f, "auto_now_add", False) and not getattr(f, "auto_now", False)
        }
        _insert_sql[vendor] = (sql, fields, constants)
    sql, fields, constants = _insert_sql[vendor]
    now = timezone.now()
    row = {**constants, "channel_id": channel.pk, **values}
    for f in fields:
        if f.attname not in row:
            row[f.attname] = (
                now if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False) else f.get_default()
            )
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(row[f.attname], connection) for f in fields])
        pk = (
            cursor.fetchone()[0]
            if " RETURNING " in sql
            else connection.ops.last_insert_id(cursor, InboundEvent._meta.db_table, "id")
        )
    event = InboundEvent(pk=pk, **row)
    event.channel = channel
    event._state.adding = False
    event._state.db = connection.alias
    return event


def delivery_too_large(body: bytes) -> str | None:
    """Why ``body`` is refused for its size, or None."""
    if len(body) > settings.MOSTRADOR_WEBHOOK_MAX_BYTES:
        return f"Body larger than {settings.MOSTRADOR_WEBHOOK_MAX_BYTES} bytes."
    return None
