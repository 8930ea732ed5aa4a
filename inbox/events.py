"""The conversation event log: its one writer, one typed method per kind.

Every ``ConversationEvent`` row is created here and nowhere else (the model
refuses to be saved otherwise, and ``tests/inbox/test_events.py`` checks the
sources). The timeline, the audit, quality review and the weekly report read
the log, so its vocabulary is fixed here, with the ``data`` keys of each kind:

============== ====================================================== =========
kind           data                                                   actor
============== ====================================================== =========
received       message_id, external_id                                —
reopened       —                                                      person or —
classified     rule_id, rule, reason, message_id                      —
queued         team_id                                                —
assigned       assignee_id, previous_assignee_id, reason, [team_id]   person or —
handed_over    from_user_id, to_user_id, team_id                      —
reply_queued   message_id, [private]                                  sender
reply_sent     message_id                                             sender
reply_failed   message_id, error                                      —
reply_retried  message_id                                             person
note_added     message_id                                             author
resolved       —                                                      person
edited         message_id, previous                                   —
removed        message_id                                             —
hidden         message_id, reason                                     person
unhidden       message_id, reason                                     person
sla_at_risk    due_at                                                 —
sla_breached   due_at                                                 —
reclassified   what changed, each with its previous value:            person
               [category_id, previous_category_id], [priority,
               previous_priority], [tags, previous_tags]
============== ====================================================== =========

``assigned.reason`` is one of ``manual`` (a supervisor), ``replied`` (whoever
answered an unassigned conversation), ``auto`` (the rota), ``queue`` (from the
team queue at a shift start), ``handover`` (at a shift end).

Write one event with the module functions (``events.resolved(...)``), or many
at once with a ``Batch`` (``batch = events.Batch(); batch.assigned(...);
batch.save()``): both have the same typed methods. An event happens now;
``received``, ``assigned``, ``reply_sent``, ``resolved`` and ``hidden`` also
take ``at=`` for history written after the fact (the demo's past weeks).

Every event tells the open pages after commit (``core.live``): the log's one
writer is also the one place a conversation's change becomes live.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from core import live
from inbox.models import Conversation, ConversationEvent, Message, event_writer

Kind = ConversationEvent.Kind

# The data keys of each kind; optional ones are written only when known.
DATA_KEYS: dict[str, frozenset[str]] = {
    Kind.RECEIVED: frozenset({"message_id", "external_id"}),
    Kind.REOPENED: frozenset(),
    Kind.CLASSIFIED: frozenset({"rule_id", "rule", "reason", "message_id"}),
    Kind.QUEUED: frozenset({"team_id"}),
    Kind.ASSIGNED: frozenset({"assignee_id", "previous_assignee_id", "reason", "team_id"}),
    Kind.HANDED_OVER: frozenset({"from_user_id", "to_user_id", "team_id"}),
    Kind.REPLY_QUEUED: frozenset({"message_id", "private"}),
    Kind.REPLY_SENT: frozenset({"message_id"}),
    Kind.REPLY_FAILED: frozenset({"message_id", "error"}),
    Kind.REPLY_RETRIED: frozenset({"message_id"}),
    Kind.NOTE_ADDED: frozenset({"message_id"}),
    Kind.RESOLVED: frozenset(),
    Kind.EDITED: frozenset({"message_id", "previous"}),
    Kind.REMOVED: frozenset({"message_id"}),
    Kind.HIDDEN: frozenset({"message_id", "reason"}),
    Kind.UNHIDDEN: frozenset({"message_id", "reason"}),
    Kind.SLA_AT_RISK: frozenset({"due_at"}),
    Kind.SLA_BREACHED: frozenset({"due_at"}),
    Kind.RECLASSIFIED: frozenset(
        {"category_id", "previous_category_id", "priority", "previous_priority", "tags", "previous_tags"}
    ),
}

ASSIGN_REASONS = frozenset({"manual", "replied", "auto", "queue", "handover"})


@contextmanager
def _writing() -> Iterator[None]:
    token = event_writer.set(True)
    try:
        yield
    finally:
        event_writer.reset(token)


class EventWriter:
    """The typed vocabulary; subclasses decide whether an event is saved now or in a batch."""

    def _add(
        self, conversation: Conversation | int, kind: str, actor: Any = None, at: datetime | None = None, **data: Any
    ) -> ConversationEvent:
        unknown = set(data) - DATA_KEYS[kind]
        if unknown:
            raise ValueError(f"{kind} events carry no {sorted(unknown)}")
        event = ConversationEvent(kind=kind, data=data)
        if at is not None:
            event.created_at = at
        if isinstance(conversation, Conversation):
            event.conversation = conversation
        else:
            event.conversation_id = conversation
        if actor is not None:
            if isinstance(actor, int):
                event.actor_id = actor
            else:
                event.actor = actor
        return self._keep(event)

    def _keep(self, event: ConversationEvent) -> ConversationEvent:
        raise NotImplementedError

    # --- Inbound
    def received(self, *, message: Message, at: datetime | None = None) -> ConversationEvent:
        return self._add(
            message.conversation, Kind.RECEIVED, at=at, message_id=message.pk, external_id=message.external_id or ""
        )

    def reopened(self, *, conversation: Conversation, by: Any = None) -> ConversationEvent:
        return self._add(conversation, Kind.REOPENED, by)

    def edited(self, *, message: Message, previous: str) -> ConversationEvent:
        return self._add(message.conversation, Kind.EDITED, message_id=message.pk, previous=previous)

    def removed(self, *, message: Message) -> ConversationEvent:
        return self._add(message.conversation, Kind.REMOVED, message_id=message.pk)

    # --- The protocol
    def classified(
        self, *, conversation: Conversation, rule_id: int, rule: str, reason: str, message_id: int
    ) -> ConversationEvent:
        return self._add(
            conversation, Kind.CLASSIFIED, rule_id=rule_id, rule=rule, reason=reason, message_id=message_id
        )

    def reclassified(self, *, conversation: Conversation, by: Any, changes: dict[str, Any]) -> ConversationEvent:
        """``changes``: the new and previous values of what a person changed
        (``category_id``/``previous_category_id``, ``priority``/…, ``tags``/…)."""
        return self._add(conversation, Kind.RECLASSIFIED, by, **changes)

    def sla_at_risk(self, *, conversation: Conversation, due_at: datetime | None) -> ConversationEvent:
        return self._add(conversation, Kind.SLA_AT_RISK, due_at=due_at.isoformat() if due_at else None)

    def sla_breached(self, *, conversation: Conversation, due_at: datetime | None) -> ConversationEvent:
        return self._add(conversation, Kind.SLA_BREACHED, due_at=due_at.isoformat() if due_at else None)

    # --- Who attends it
    def queued(self, *, conversation: Conversation, team_id: int) -> ConversationEvent:
        return self._add(conversation, Kind.QUEUED, team_id=team_id)

    def assigned(
        self,
        *,
        conversation: Conversation,
        assignee_id: int | None,
        previous_assignee_id: int | None,
        reason: str,
        by: Any = None,
        team_id: int | None = None,
        at: datetime | None = None,
    ) -> ConversationEvent:
        if reason not in ASSIGN_REASONS:
            raise ValueError(f"Unknown assignment reason {reason!r}")
        extra = {"team_id": team_id} if team_id is not None else {}
        return self._add(
            conversation,
            Kind.ASSIGNED,
            by,
            at,
            assignee_id=assignee_id,
            previous_assignee_id=previous_assignee_id,
            reason=reason,
            **extra,
        )

    def handed_over(
        self, *, conversation: Conversation, from_user_id: int, to_user_id: int | None, team_id: int
    ) -> ConversationEvent:
        return self._add(
            conversation, Kind.HANDED_OVER, from_user_id=from_user_id, to_user_id=to_user_id, team_id=team_id
        )

    # --- Answers and notes
    def reply_queued(self, *, message: Message) -> ConversationEvent:
        extra: dict[str, Any] = {"private": True} if message.to_private else {}
        return self._add(message.conversation, Kind.REPLY_QUEUED, message.sender_id, message_id=message.pk, **extra)

    def reply_sent(self, *, message: Message, at: datetime | None = None) -> ConversationEvent:
        return self._add(message.conversation_id, Kind.REPLY_SENT, message.sender_id, at, message_id=message.pk)

    def reply_failed(self, *, message: Message, error: str) -> ConversationEvent:
        return self._add(message.conversation_id, Kind.REPLY_FAILED, message_id=message.pk, error=error[:500])

    def reply_retried(self, *, message: Message, by: Any) -> ConversationEvent:
        return self._add(message.conversation_id, Kind.REPLY_RETRIED, by, message_id=message.pk)

    def note_added(self, *, note: Message) -> ConversationEvent:
        return self._add(note.conversation, Kind.NOTE_ADDED, note.sender_id, message_id=note.pk)

    def resolved(self, *, conversation: Conversation, by: Any = None, at: datetime | None = None) -> ConversationEvent:
        return self._add(conversation, Kind.RESOLVED, by, at)

    # --- Moderation
    def hidden(
        self, *, message: Message, by: Any, reason: str, hidden: bool = True, at: datetime | None = None
    ) -> ConversationEvent:
        kind = Kind.HIDDEN if hidden else Kind.UNHIDDEN
        return self._add(message.conversation, kind, by, at, message_id=message.pk, reason=reason)


class _Now(EventWriter):
    """Each event saved at once."""

    def _keep(self, event: ConversationEvent) -> ConversationEvent:
        with _writing():
            event.save()
        live.conversations_changed([event.conversation_id])
        return event


class Batch(EventWriter):
    """Events gathered and saved in one INSERT by ``save()``."""

    def __init__(self) -> None:
        self.events: list[ConversationEvent] = []

    def _keep(self, event: ConversationEvent) -> ConversationEvent:
        self.events.append(event)
        return event

    def save(self) -> list[ConversationEvent]:
        with _writing():
            saved = ConversationEvent.objects.bulk_create(self.events)
        self.events = []
        live.conversations_changed(event.conversation_id for event in saved)
        return saved


_now = _Now()
received = _now.received
reopened = _now.reopened
edited = _now.edited
removed = _now.removed
classified = _now.classified
sla_at_risk = _now.sla_at_risk
sla_breached = _now.sla_breached
queued = _now.queued
assigned = _now.assigned
handed_over = _now.handed_over
reply_queued = _now.reply_queued
reply_sent = _now.reply_sent
reply_failed = _now.reply_failed
reply_retried = _now.reply_retried
note_added = _now.note_added
resolved = _now.resolved
hidden = _now.hidden
reclassified = _now.reclassified
