"""Canned replies: searched from the reply box, their variables filled in."""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import Q

from protocols.models import CannedReply

_VARIABLE = re.compile(r"\{(contact_name|gestor_name|brand|channel)\}")


def canned_render(*, canned: CannedReply, conversation, gestor) -> str:
    """The canned text for this conversation: unknown braces are left as they are."""
    contact = conversation.contact
    values = {
        "contact_name": (contact.display_name or contact.handle or "").split(" ")[0] or contact.handle,
        "gestor_name": gestor.first_name or gestor.get_username(),
        "brand": settings.MOSTRADOR_BRAND_NAME,
        "channel": conversation.channel.name,
    }
    return _VARIABLE.sub(lambda m: values[m.group(1)], canned.body)


def canned_search(*, q: str = "", category_id: int | None = None, limit: int = 8) -> list[CannedReply]:
    """Active canned replies matching ``q``; the conversation's category first."""
    replies = CannedReply.objects.filter(active=True).select_related("category")
    for word in q.split()[:5]:
        replies = replies.filter(Q(title__icontains=word) | Q(body__icontains=word) | Q(slug__icontains=word))
    found = list(replies[:100])
    found.sort(key=lambda c: (c.category_id != category_id, c.title))
    return found[:limit]
