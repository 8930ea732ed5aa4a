"""Polling channels: every connector that polls goes through here.

A poll claims its channel with a lease (``next_poll_at`` moved forward in one
conditional UPDATE), so two workers never poll one account at once and a
worker that dies only delays the next poll by the lease. The network is called
outside any transaction; what it returned is stored raw as a poll
``InboundEvent`` together with the new cursor, in one transaction, and the
ingest drain parses it like a webhook delivery. A rate limit reschedules the
next poll after the network's reset time; a revoked token disables the channel
and says why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels.connectors.base import ConnectorError
from channels.connectors.registry import connector_class, connector_for, kinds
from channels.inbound import inbound_events_accepted
from channels.models import Channel, InboundEvent
from channels.status import channel_disable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollOutcome:
    channel_id: int
    status: str  # "polled", "skipped", "rate_limited", "failed", "disabled"
    event: InboundEvent | None = None
    error: str = ""


def polling_kinds() -> list[str]:
    return [kind for kind in kinds() if connector_class(kind).supports_polling]


def channels_due_poll(*, now=None) -> list[int]:
    """Ids of active polling channels whose next poll time has come."""
    now = now or timezone.now()
    return list(
        Channel.objects.filter(kind__in=polling_kinds(), active=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .order_by("next_poll_at")
        .values_list("pk", flat=True)
    )


def _claim(channel_id: int, now) -> bool:
    lease = now + timedelta(seconds=settings.MOSTRADOR_POLL_LEASE_SECONDS)
    return bool(
        Channel.objects.filter(pk=channel_id, active=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .update(next_poll_at=lease)
    )


def channel_poll(*, channel_id: int, force: bool = False) -> PollOutcome:
    """Poll one channel once if it is due (or ``force``); store what came back."""
    now = timezone.now()
    if force:
        Channel.objects.filter(pk=channel_id).update(next_poll_at=None)
    if not _claim(channel_id, now):
        return PollOutcome(channel_id, "skipped")
    channel = Channel.objects.get(pk=channel_id)
    connector = connector_for(channel)
    try:
        result = connector.fetch_since(channel.poll_cursor)
    except ConnectorError as exc:
        return _poll_failed(channel, exc, now)
    except Exception as exc:  # a bug or an unexpected answer: keep polling later, say why
        logger.exception("Polling channel %s failed.", channel_id)
        return _poll_failed(channel, ConnectorError(f"{type(exc).__name__}: {exc}"), now)

    with transaction.atomic():
        event = None
        if result.item_count:
            event = InboundEvent.objects.create(
                channel=channel,
                kind=channel.kind,
                source=InboundEvent.Source.POLL,
                status=InboundEvent.Status.ACCEPTED,
                body=result.raw,
                item_count=result.item_count,
            )
            inbound_events_accepted()
        Channel.objects.filter(pk=channel.pk).update(
            poll_cursor=result.cursor,
            last_polled_at=now,
            next_poll_at=now + timedelta(seconds=connector.poll_interval),
            last_error="",
        )
    return PollOutcome(channel_id, "polled", event=event)


def _poll_failed(channel: Channel, exc: ConnectorError, now) -> PollOutcome:
    updates = {"last_polled_at": now, "last_error": exc.message[:2000], "last_error_at": now}
    if exc.permanent:
        channel_disable(channel=channel, reason=exc.message)
        updates |= {"active": False, "next_poll_at": None}
        status = "disabled"
        logger.error("Channel %s disabled: %s", channel.pk, exc.message)
    elif exc.retry_after is not None:
        updates["next_poll_at"] = now + timedelta(seconds=max(exc.retry_after, 1))
        status = "rate_limited"
    else:
        updates["next_poll_at"] = now + timedelta(seconds=settings.MOSTRADOR_POLL_RETRY_SECONDS)
        status = "failed"
    Channel.objects.filter(pk=channel.pk).update(**updates)
    return PollOutcome(channel.pk, status, error=exc.message)
