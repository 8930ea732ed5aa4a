"""History for the report tests, made through the real services at the times it happened."""

from __future__ import annotations

from datetime import datetime

import time_machine
from django.db import transaction

from inbox.models import Conversation
from inbox.services.conversations import conversation_resolve
from inbox.services.replies import reply_create, reply_send
from tests.protocols.helpers import deliver


def at(moment: datetime):
    """Freeze the clock at ``moment`` (a context manager)."""
    return time_machine.travel(moment, tick=False)


def received(channel, text: str, moment: datetime, *, thread: str | None = None) -> Conversation:
    with at(moment):
        return deliver(channel, text, thread=thread, at=moment)


def replied(conversation: Conversation, user, moment: datetime, text: str = "Gracias, lo miramos.") -> Conversation:
    with at(moment), transaction.atomic():
        message = reply_create(conversation=conversation, sender=user, body=text)
    with at(moment):
        reply_send(message_id=message.pk)
    return Conversation.objects.get(pk=conversation.pk)


def resolved(conversation: Conversation, user, moment: datetime) -> Conversation:
    with at(moment):
        conversation_resolve(conversation=conversation, by=user)
    return Conversation.objects.get(pk=conversation.pk)
