"""The conversation event log has one writer (``inbox.events``) and is append-only."""

import ast
from pathlib import Path

import pytest

from inbox import events
from inbox.models import ConversationEvent, EventLogMisuse

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "channels", "inbox", "protocols", "teams", "listening", "reports", "demo", "config"]
WRITER = ROOT / "inbox" / "events.py"


def _writes_events(tree: ast.AST) -> list[int]:
    """Lines that build a ConversationEvent or call its manager's create/bulk_create."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "ConversationEvent":
            lines.append(node.lineno)
        elif isinstance(func, ast.Attribute) and func.attr in {"create", "bulk_create", "get_or_create"}:
            target = ast.unparse(func.value)
            if target.startswith("ConversationEvent") or target.endswith("events.objects"):
                lines.append(node.lineno)
    return lines


def test_no_module_but_inbox_events_writes_the_log():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == WRITER or "migrations" in path.parts:
                continue
            for line in _writes_events(ast.parse(path.read_text(), str(path))):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == []


def test_the_source_check_finds_a_writer():
    """The check above can fail: it sees both ways of writing an event."""
    code = "ConversationEvent(kind='x')\nConversationEvent.objects.bulk_create([])\nc.events.objects.create()"
    assert _writes_events(ast.parse(code)) == [1, 2, 3]


@pytest.mark.django_db
def test_the_model_refuses_writes_from_elsewhere(conversation):
    with pytest.raises(EventLogMisuse):
        ConversationEvent.objects.create(conversation=conversation, kind="resolved")
    with pytest.raises(EventLogMisuse):
        ConversationEvent.objects.bulk_create([ConversationEvent(conversation=conversation, kind="resolved")])
    event = events.resolved(conversation=conversation)
    with pytest.raises(EventLogMisuse):
        event.save()
    with pytest.raises(EventLogMisuse):
        ConversationEvent.objects.filter(pk=event.pk).update(kind="reopened")
    with pytest.raises(EventLogMisuse):
        ConversationEvent.objects.filter(pk=event.pk).delete()
    assert list(conversation.events.values_list("kind", flat=True)) == ["resolved"]


@pytest.mark.django_db
def test_each_kind_carries_only_its_documented_keys(conversation):
    message = conversation.messages.get()
    batch = events.Batch()
    batch.received(message=message)
    batch.assigned(conversation=conversation, assignee_id=None, previous_assignee_id=None, reason="auto")
    batch.save()
    for event in conversation.events.all():
        assert set(event.data) <= events.DATA_KEYS[event.kind]
    with pytest.raises(ValueError):
        events.assigned(conversation=conversation, assignee_id=None, previous_assignee_id=None, reason="whim")
    assert set(events.DATA_KEYS) == set(ConversationEvent.Kind.values)
