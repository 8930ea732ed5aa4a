"""The protocol's part in a conversation's lifecycle (``inbox.lifecycle``),
registered in ``ProtocolsConfig.ready()``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from inbox.lifecycle import Intake, Step, register
from inbox.models import Conversation
from protocols.checks import blocking_reasons
from protocols.escalation import conversations_escalate
from protocols.services import CLASSIFICATION_FIELDS, messages_classify
from protocols.sla import SLA_FIELDS, conversation_sla_replied, conversation_sla_resolved, conversations_sla_update

_CRISIS = "protocols.crisis_ids"


def on_received(*, intake: Intake) -> None:
    """Classify the new messages' conversations and set their deadlines, in memory."""
    classified = messages_classify(messages=intake.messages, save=False)
    conversations_sla_update(conversations=intake.conversations, save=False)
    intake.changed([*CLASSIFICATION_FIELDS, *SLA_FIELDS])
    intake.notes[_CRISIS] = [c.pk for c in classified.crisis]


def on_classified(*, intake: Intake) -> None:
    """A conversation that just turned into a crisis is escalated at once."""
    if crisis_ids := intake.notes.get(_CRISIS):
        conversations_escalate(conversation_ids=crisis_ids, trigger="crisis")


def on_reply_check(*, conversation: Conversation, body: str) -> list[str]:
    return blocking_reasons(body)


def on_replied(*, conversation: Conversation, waited_since: datetime | None, at: datetime) -> None:
    conversation_sla_replied(conversation=conversation, waited_since=waited_since, at=at)


def on_resolved(*, conversation: Conversation, at: datetime, by: Any = None) -> None:
    conversation_sla_resolved(conversation=conversation, at=at)


def on_reopened(*, conversation: Conversation, by: Any = None) -> None:
    conversations_sla_update(conversations=[conversation])


def on_reclassified(*, conversation: Conversation, fields: list[str], by: Any = None) -> None:
    """A person changed the category or priority: the deadlines follow the policy that now applies."""
    conversations_sla_update(conversations=[conversation])


def register_hooks() -> None:
    register(Step.RECEIVED, on_received)
    register(Step.CLASSIFIED, on_classified)
    register(Step.REPLY_CHECK, on_reply_check)
    register(Step.REPLIED, on_replied)
    register(Step.RESOLVED, on_resolved)
    register(Step.REOPENED, on_reopened)
    register(Step.RECLASSIFIED, on_reclassified)
