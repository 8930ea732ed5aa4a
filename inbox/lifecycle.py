"""A conversation's lifecycle: named steps, and hooks the apps above inbox register.

Inbox runs the steps; it never imports the apps that listen. The protocol
(classification, deadlines, checks) and the teams (assignment) register their
hooks in their ``AppConfig.ready()``, in ``INSTALLED_APPS`` order:

- ``RECEIVED``: new inbound messages are stored and their conversations are
  locked, changed in memory and not yet saved. Hooks get an ``Intake``, change
  the conversations and add the names of the fields they changed to
  ``intake.fields``; inbox saves them all in one statement. (The protocol
  classifies and sets the deadlines here.)
- ``CLASSIFIED``: the same ``Intake``, once saved, in the same transaction.
  (The protocol raises a crisis; the teams assign what nobody holds.)
- ``REPLY_CHECK``: ``conversation``, ``body``: a reply is about to be queued;
  hooks return a list of reasons to refuse it (the protocol's blocking checks).
- ``REPLIED``: ``conversation`` (locked, saved), ``waited_since``, ``at``: the
  network accepted a reply. (The protocol stops the response clock.)
- ``ASSIGNED``: ``conversation``, ``assignee_id``, ``previous_assignee_id``,
  ``reason``, ``by``: someone now holds it (or nobody).
- ``RESOLVED``: ``conversation`` (locked), ``at``, ``by``.
- ``REOPENED``: ``conversation`` (locked), ``by``: a person reopened it (a new
  message reopens it through ``RECEIVED``).
- ``RECLASSIFIED``: ``conversation`` (locked, saved), ``fields``, ``by``: a person
  changed its category, priority or tags. (The protocol recomputes the deadlines.)

The weekly report (``reports/hooks.py``) keeps its tables current at
``CLASSIFIED``, ``REPLIED``, ``RESOLVED`` and ``REOPENED``.

Hooks run inside the caller's transaction: what they owe for later (an
e-mail, a task) they record durably there, and queue through ``core.queue``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inbox.models import Conversation, Message


class Step(StrEnum):
    RECEIVED = "received"
    CLASSIFIED = "classified"
    REPLY_CHECK = "reply_check"
    REPLIED = "replied"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    RECLASSIFIED = "reclassified"


@dataclass
class Intake:
    """New inbound messages and their locked conversations, passed to ``RECEIVED``
    and ``CLASSIFIED`` hooks; ``notes`` carries what a hook keeps between the two."""

    messages: list[Message]
    conversations: list[Conversation]
    fields: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    def changed(self, names: list[str]) -> None:
        """Ask inbox to save these fields of every conversation."""
        self.fields.extend(name for name in names if name not in self.fields)


Hook = Callable[..., Any]
_hooks: dict[Step, list[Hook]] = defaultdict(list)


def register(step: Step, hook: Hook) -> None:
    """Call ``hook`` at ``step`` (once, however often an app registers it)."""
    if hook not in _hooks[step]:
        _hooks[step].append(hook)


def run(step: Step, **kwargs: Any) -> list[Any]:
    """Call the hooks of ``step`` in registration order; return what each returned."""
    return [hook(**kwargs) for hook in _hooks[step]]


def hooks(step: Step) -> list[Hook]:
    """The hooks registered for ``step`` (for tests and the README's map)."""
    return list(_hooks[step])
