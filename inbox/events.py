"""The one writer of the conversation event log (append-only)."""

from inbox.models import Conversation, ConversationEvent


def record(*, conversation: Conversation, kind: str, actor=None, **data) -> ConversationEvent:
    return ConversationEvent.objects.create(conversation=conversation, kind=kind, actor=actor, data=data)


def record_many(events: list[ConversationEvent]) -> None:
    ConversationEvent.objects.bulk_create(events)
