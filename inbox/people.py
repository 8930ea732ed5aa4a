"""Who can take a conversation now: on shift or not, and their open load.

The rota lives in ``teams``, above inbox; it registers ``staffing`` here in its
``AppConfig.ready()`` (``set_provider``). Without a provider (no teams app),
everyone counts as on shift and only the open load is known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from inbox.models import Conversation

OPEN = (Conversation.Status.NEW, Conversation.Status.OPEN, Conversation.Status.WAITING)


@dataclass(frozen=True)
class Staffing:
    on_shift: bool
    open_count: int
    capacity: int | None = None


Provider = Callable[[list[int], datetime], dict[int, Staffing]]
_provider: list[Provider] = []


def set_provider(provider: Provider) -> None:
    _provider[:] = [provider]


def staffing(*, user_ids: Iterable[int], now: datetime) -> dict[int, Staffing]:
    """user id → ``Staffing``, in a fixed number of queries."""
    ids = list(user_ids)
    if _provider:
        return _provider[0](ids, now)
    load = dict(
        Conversation.objects.filter(assignee_id__in=ids, status__in=OPEN)
        .values("assignee_id")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("assignee_id", "n")
    )
    return {pk: Staffing(on_shift=True, open_count=load.get(pk, 0)) for pk in ids}
