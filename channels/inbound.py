"""Stored deliveries waiting to be processed, and who is told when one is.

Channels only store what the networks send (``InboundEvent``); the inbox
turns it into conversations. Channels learn nothing of the inbox: it registers
a hook here (``on_accepted``) from its ``AppConfig.ready()``, called after
commit whenever accepted events are stored or put back. An accepted event is
its own record of the work owed: the inbox's periodic drain picks up whatever
a lost hook call left behind.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from channels.models import InboundEvent

_accepted_hooks: list[Callable[[], None]] = []


def on_accepted(hook: Callable[[], None]) -> None:
    """Call ``hook`` (no arguments, must not raise) after accepted events are committed."""
    if hook not in _accepted_hooks:
        _accepted_hooks.append(hook)


def inbound_events_accepted() -> None:
    """Tell the hooks, once the caller's transaction commits, that accepted events wait."""
    for hook in _accepted_hooks:
        transaction.on_commit(hook)


def inbound_event_replay(*, event: InboundEvent) -> InboundEvent:
    """Put a failed event back in the queue; the drain takes it again."""
    InboundEvent.objects.filter(pk=event.pk, status=InboundEvent.Status.FAILED).update(
        status=InboundEvent.Status.ACCEPTED, error=""
    )
    inbound_events_accepted()
    event.refresh_from_db()
    return event
