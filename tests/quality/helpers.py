"""Sent replies to review, made directly (the reply pipeline is tested in tests/inbox)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from inbox.models import Message
from tests.factories import ConversationFactory, InboundMessageFactory

MONDAY = date(2026, 11, 16)  # 2026-W47
MADRID = ZoneInfo("Europe/Madrid")
CRITERIA = ["answered", "tone", "protocol", "spelling", "on_time"]


def sent_reply(channel, user, body: str = "Gracias, lo miramos ahora mismo.", *, at: datetime | None = None) -> Message:
    conversation = ConversationFactory(channel=channel)
    moment = at or datetime.combine(MONDAY + timedelta(days=2), time(11), MADRID)
    InboundMessageFactory(conversation=conversation, body="¿Abrís el domingo?", created_at=moment - timedelta(hours=1))
    return Message.objects.create(
        conversation=conversation,
        channel=channel,
        direction=Message.Direction.OUT,
        sender=user,
        body=body,
        created_at=moment,
        sent_at=moment,
        delivery_status=Message.DeliveryStatus.SENT,
        idempotency_key=uuid.uuid4(),
    )
