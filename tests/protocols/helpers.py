"""Feeding items through the real ingest, as a connector would deliver them."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from channels.connectors.base import ContactRef, InboundItem
from inbox.models import Conversation
from inbox.services.ingest import ReceivedItem, inbound_items_ingest

_counter = iter(range(1, 10**9))


def deliver(
    channel,
    text: str,
    *,
    thread: str | None = None,
    private: bool = False,
    author: str = "cliente",
    at: datetime | None = None,
) -> Conversation:
    """Ingest one inbound item and return its conversation, fresh from the database."""
    n = next(_counter)
    item = InboundItem(
        external_id=f"item-{n}",
        thread_key=thread or f"thread-{n}",
        is_private=private,
        author=ContactRef(external_id=f"id-{author}", handle=author, display_name=author.title()),
        body=text,
        created_at=at,
    )
    with transaction.atomic():
        messages = inbound_items_ingest(received=[ReceivedItem(channel, item, at or timezone.now())])
    return Conversation.objects.select_related("category", "matched_rule").get(pk=messages[0].conversation_id)


def sweep(now: datetime | None = None):
    """Run the SLA sweep and what it queues after commit (escalation, e-mails), as in production."""
    from django.test import TestCase

    from protocols.sla import sla_sweep

    with TestCase.captureOnCommitCallbacks(execute=True):
        return sla_sweep(now=now)
