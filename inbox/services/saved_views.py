"""Saved inbox views: a person's named filters, optionally shared with the team."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from core.memo import forget
from inbox.models import SavedView
from inbox.selectors import SAVED_VIEWS, InboxFilters


class SavedViewRefused(Exception):
    """The view cannot be saved or deleted; the message says why."""


def saved_view_save(*, owner, name: str, query: str, shared: bool) -> SavedView:
    """Save the filters in ``query`` (a list's query string; only the filters the inbox
    knows are kept) as ``name``; the same name again replaces that view.
    Raises ``SavedViewRefused`` without a name."""
    name = name.replace("\x00", "").strip()[:80]
    if not name:
        raise SavedViewRefused(_("Name the view."))
    clean = InboxFilters.from_params(QueryDict(query.replace("\x00", ""))).query()
    try:
        with transaction.atomic():
            view, _created = SavedView.objects.update_or_create(
                owner=owner, name=name, defaults={"query": clean, "shared": shared}
            )
    except IntegrityError as exc:  # the same name saved twice at once
        raise SavedViewRefused(_("A view with that name is being saved; try again.")) from exc
    _forget()
    return view


def saved_view_delete(*, owner, pk: int) -> None:
    """Delete one of ``owner``'s views; raises ``SavedViewRefused`` for a view that is not theirs."""
    deleted, _rows = SavedView.objects.filter(owner=owner, pk=pk).delete()
    if not deleted:
        raise SavedViewRefused(_("Only its owner can delete a view."))
    _forget()


def _forget() -> None:
    forget(SAVED_VIEWS, 0)
