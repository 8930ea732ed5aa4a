"""Inbound items that need the network before they can be stored.

- An Instagram ``mentions`` webhook names only the comment or media: its text
  is read from the Graph API (``mentioned_comment`` / ``mentioned_media``).
- An X Account Activity reply carries no ``conversation_id``. Ingest first
  files it in the thread of the tweet it answers when that tweet is stored
  (a reply to the brand's reply, or to a stored mention: no network call);
  otherwise the thread's root is read from ``GET /2/tweets/:id`` so webhook
  and polling agree on one conversation per thread. Doing this in a task
  keeps the webhook fast and the ingest transaction free of network calls.

The item is recorded as an ``ItemLookup`` in the ingest transaction (the
debt); a task queued after commit completes and stores it; the sweep retries
what failed or was lost. After ``MAX_ATTEMPTS`` (or a permanent error) an X
reply is stored in the thread of the tweet it answers, and a mention is
given up (``last_error`` says why).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from channels.connectors.base import ConnectorError, ContactRef, InboundItem, ItemKind
from channels.connectors.registry import connector_for
from core.queue import dispatch_on_commit
from inbox.models import ItemLookup, Message

if TYPE_CHECKING:
    from inbox.services.ingest import ReceivedItem

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def item_to_json(item: InboundItem) -> dict:
    data = asdict(item)
    data["created_at"] = item.created_at.isoformat() if item.created_at else None
    data["attachments"] = list(item.attachments)
    return data


def item_from_json(data: dict) -> InboundItem:
    data = dict(data)
    data["author"] = ContactRef(**data["author"])
    data["created_at"] = datetime.fromisoformat(data["created_at"]) if data.get("created_at") else None
    data["attachments"] = tuple(data.get("attachments") or ())
    return InboundItem(**data)


def item_lookups_owe(*, received: list[ReceivedItem]) -> None:
    """Record the lookups these items need (once per item) and queue them after commit."""
    if not received:
        return
    stored = set(
        Message.objects.filter(
            channel__in={e.channel.pk for e in received}, external_id__in=[e.item.external_id for e in received]
        ).values_list("channel_id", "external_id")
    )
    rows = [
        ItemLookup(
            channel=e.channel,
            external_id=e.item.external_id,
            item=item_to_json(replace(e.item, created_at=e.item.created_at or e.received_at)),
        )
        for e in received
        if (e.channel.pk, e.item.external_id) not in stored
    ]
    if not rows:
        return
    ItemLookup.objects.bulk_create(rows, ignore_conflicts=True)
    from inbox.tasks import item_lookups_settle_task

    dispatch_on_commit(item_lookups_settle_task, args=([(r.channel_id, r.external_id) for r in rows],))


def item_lookups_settle(*, keys: list[tuple[int, str]] | None = None, limit: int = 50) -> int:
    """Complete and store owed items (these, or, for the sweep, the oldest owed
    that no task took within two minutes); return how many were stored."""
    from inbox.services.ingest import ReceivedItem, inbound_items_ingest

    owed = ItemLookup.objects.filter(settled_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    if keys is not None:
        ids = [
            pk
            for channel_id, external_id in keys
            for pk in owed.filter(channel_id=channel_id, external_id=external_id).values_list("pk", flat=True)
        ]
    else:
        ids = list(
            owed.filter(created_at__lt=timezone.now() - timedelta(minutes=2))
            .order_by("id")
            .values_list("pk", flat=True)
        )
    stored = 0
    for pk in ids[:limit]:
        claimed = ItemLookup.objects.filter(pk=pk, settled_at__isnull=True, attempts__lt=MAX_ATTEMPTS).update(
            attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        lookup = ItemLookup.objects.select_related("channel").get(pk=pk)
        item = item_from_json(lookup.item)
        error = ""
        try:
            completed = connector_for(lookup.channel).complete_item(item)
        except ConnectorError as exc:
            error = exc.message
            if not exc.permanent and lookup.attempts < MAX_ATTEMPTS:
                ItemLookup.objects.filter(pk=pk).update(last_error=error[:2000])
                continue
            # Given up: an X reply is kept in the thread of the tweet it answers; a mention is lost.
            completed = replace(item, thread_pending=False) if item.kind == ItemKind.MESSAGE else None
        with transaction.atomic():
            if completed is not None:
                completed = replace(completed, kind=ItemKind.MESSAGE, thread_pending=False)
                created_at = completed.created_at or lookup.created_at
                inbound_items_ingest(received=[ReceivedItem(lookup.channel, completed, created_at)])
                stored += 1
            ItemLookup.objects.filter(pk=pk).update(
                settled_at=timezone.now(), last_error=(error or ("" if completed else "Gone from the network"))[:2000]
            )
    return stored
