"""The report's part in a conversation's lifecycle (``inbox.lifecycle``),
registered in ``ReportsConfig.ready()``: keep the report's tables current."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from inbox.lifecycle import Intake, Step, register
from inbox.models import Conversation
from reports.cache import weeks_touch
from reports.keeping import facts_upsert, owed_refresh, reply_record, resolution_record, volume_add


def on_classified(*, intake: Intake) -> None:
    """New inbound messages: their conversations' facts and the hourly volume."""
    facts_upsert(conversations=intake.conversations)
    volume_add(messages=intake.messages)
    # The weeks of the facts (first inbound) and of the volume (the messages) changed.
    weeks_touch([c.first_inbound_at for c in intake.conversations] + [m.created_at for m in intake.messages])


def on_replied(*, conversation: Conversation, waited_since: datetime | None, at: datetime) -> None:
    reply_record(conversation=conversation, at=at)


def on_resolved(*, conversation: Conversation, at: datetime, by: Any = None) -> None:
    by_id = by if isinstance(by, int) or by is None else by.pk
    resolution_record(conversation=conversation, at=at, by_id=by_id)


def on_reopened(*, conversation: Conversation, by: Any = None) -> None:
    owed_refresh(conversation=conversation)


HOOKS: list[tuple[Step, Callable[..., Any]]] = [
    (Step.CLASSIFIED, on_classified),
    (Step.REPLIED, on_replied),
    (Step.RESOLVED, on_resolved),
    (Step.REOPENED, on_reopened),
]


def register_hooks() -> None:
    for step, hook in HOOKS:
        register(step, hook)
