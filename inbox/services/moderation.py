"""Hiding a comment on the network: never a delete. The item stays in Mostrador
with who hid it, when and why; it can be shown again."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.connectors.base import ConnectorError
from channels.connectors.registry import connector_for
from inbox import events
from inbox.models import Message


class HideRefused(Exception):
    pass


def message_hide(*, message: Message, by, reason: str, hidden: bool = True) -> Message:
    reason = reason.strip()
    if message.direction != Message.Direction.IN:
        raise HideRefused(_("Only what people wrote can be hidden."))
    if hidden and not reason:
        raise HideRefused(_("Say why it is hidden: the reason is kept with the item."))
    connector = connector_for(message.channel)
    if not connector.supports_hiding or message.conversation.is_private:
        raise HideRefused(_("This network does not let us hide this item."))
    try:
        connector.hide_item(message.external_id or "", hidden=hidden)
    except ConnectorError as exc:
        raise HideRefused(_("The network refused: %(error)s") % {"error": exc.message}) from exc
    with transaction.atomic():
        message.hidden_at = timezone.now() if hidden else None
        message.hidden_by = by if hidden else None
        message.hidden_reason = reason if hidden else ""
        message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        events.hidden(message=message, by=by, reason=reason, hidden=hidden)
    return message
