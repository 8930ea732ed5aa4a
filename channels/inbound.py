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
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import Channel, InboundEvent

_accepted_hooks: list[Callable[[], None]] = []


def on_accepted(hook: Callable[[], None]) -> None:
    """Call ``hook`` (no arguments, must not raise) after accepted events are committed."""
    if hook not in _accepted_hooks:
        _accepted_hooks.append(hook)


def inbound_events_accepted() -> None:
    """Tell the hooks, once the caller's transaction commits, that accepted events wait."""
    for hook in _accepted_hooks:
        transaction.on_commit(hook)


class ReplayRefused(Exception):
    """The event cannot be processed again; the message says why."""


def inbound_event_replay(*, event: InboundEvent) -> InboundEvent:
    """Put an event back in the queue (the drain takes it again): a failed one,
    one with unparsed entries, or an authentic one refused for a cause since
    fixed (its account now has a channel). Ingest is idempotent: what was
    stored from it already is not stored twice.

    Raises ``ReplayRefused`` when it cannot be replayed (not authentic, or
    still no channel for its account).
    """
    with transaction.atomic():
        locked = InboundEvent.objects.select_for_update().get(pk=event.pk)
        if not (locked.replayable or locked.unparsed.filter(replayed_at__isnull=True).exists()):
            raise ReplayRefused(_("Only an authentic delivery that failed can be processed again."))
        channel_id = locked.channel_id or _channel_for(locked)
        if channel_id is None:
            raise ReplayRefused(_("There is still no active channel for the account this delivery is for."))
        locked.unparsed.filter(replayed_at__isnull=True).update(replayed_at=timezone.now())
        InboundEvent.objects.filter(pk=locked.pk).update(
            status=InboundEvent.Status.ACCEPTED, error="", channel_id=channel_id
        )
        inbound_events_accepted()
    event.refresh_from_db()
    return event


def _channel_for(event: InboundEvent) -> int | None:
    """The active channel of the account an app-level delivery is for, if one exists now."""
    from channels.connectors.registry import connector_class, kinds

    if event.kind not in kinds():
        return None
    account = connector_class(event.kind).delivery_account(bytes(event.body))
    if not account:
        return None
    return (
        Channel.objects.filter(kind=event.kind, external_account_id=account, active=True)
        .values_list("pk", flat=True)
        .first()
    )
