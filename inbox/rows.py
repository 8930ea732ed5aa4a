"""The rows of the inbox list, written in Python.

The list is the page people keep open all day, and its 25 rows were most of
its cost when each was a template loop: about twenty variables, ten
conditions, a ``reverse()``, translation blocks and date filters per row,
80–100 µs each in Django's template engine. Here each row is one
``format_html`` (every value escaped, as the template escaped it) with its
texts computed once per page where they can be: the same markup and words
``inbox/_list_results.html`` and ``inbox/_sla.html`` used to build.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.dates import PageDates
from core.templatetags.people import person
from inbox.models import Conversation

_ROW = (
    '<li class="conv-row">{tick}<a class="conv{new}" href="{href}">'
    '<span class="avatar avatar--contact" aria-hidden="true">{initial}</span>'
    '<span class="conv__body"><span class="conv__top"><strong class="conv__who">{who}</strong>'
    ' <span class="chip chip--channel">{channel}</span>{category}</span>'
    '<span class="conv__subject">{subject}{snippet}</span></span>'
    '<span class="conv__meta"><span class="badge badge--{status}">{status_label}</span>'
    "{sla}{waiting}"
    ' <span class="muted">{assignee}</span></span></a></li>\n'
)
_TICK = '<input type="checkbox" name="ids" value="{}" class="conv__tick" aria-label="{}" data-testid="tick">'
_CATEGORY = ' <span class="chip" style="--chip: {}">{}</span>'
_SUBJECT = "<strong>{}</strong> — "
# inbox/_sla.html's markup
_SLA = (
    ' <span class="sla sla--{}" data-testid="sla" data-due="{}" title="{}">◷ <span class="sla__left">{}</span></span>'
)
_WAITING = ' <span class="waiting" title="{}">{}</span>'
_ACTIVITY = ' <span class="muted">{}</span>'
_EMPTY = mark_safe("")


def conversation_rows_html(conversations, *, can_reply: bool) -> SafeString:
    """The ``<li>`` of each conversation of a list page (rows read with
    ``selectors.ROW_COLUMNS``), with its tick box if the person may act on it."""
    dates = PageDates()
    # Words and addresses once per page, not once per row.
    unassigned, deadline = _("Unassigned"), _("Reply deadline")
    due, overdue, waiting_since, tick = (
        _("due %(when)s"),
        _("overdue since %(when)s"),
        _("waiting %(since)s"),
        _("Tick %(who)s"),
    )
    statuses = {value: capfirst(label) for value, label in Conversation.Status.choices}
    # "/conversations/0/" → "/conversations/<pk>/"
    detail = reverse("inbox:detail", args=[0]).removesuffix("0/")
    rows = []
    for c in conversations:
        who = str(c.contact)
        sla = waiting = _EMPTY
        if c.sla_due_at and c.sla_state != Conversation.SlaState.NONE:
            words = overdue if c.sla_state == Conversation.SlaState.BREACHED else due
            sla = format_html(
                _SLA,
                c.sla_state,
                dates.iso(c.sla_due_at),
                f"{deadline}: {dates.short(c.sla_due_at)}",
                words % {"when": dates.natural(c.sla_due_at)},
            )
        if c.waiting_since:
            since = waiting_since % {"since": dates.natural(c.waiting_since)}
            waiting = format_html(_WAITING, dates.short(c.waiting_since), since)
        elif c.last_inbound_at:
            waiting = format_html(_ACTIVITY, dates.natural(c.last_inbound_at))
        rows.append(
            format_html(
                _ROW,
                tick=format_html(_TICK, c.pk, tick % {"who": who}) if can_reply else _EMPTY,
                new=" conv--new" if c.status == Conversation.Status.NEW else "",
                href=f"{detail}{c.pk}/",
                initial=(c.contact.display_name or c.contact.handle or "")[:1].upper(),
                who=who,
                channel=c.channel.name,
                category=format_html(_CATEGORY, c.category.colour, c.category.name) if c.category_id else _EMPTY,
                subject=format_html(_SUBJECT, c.subject) if c.subject else _EMPTY,
                snippet=c.snippet,
                status=c.status,
                status_label=statuses[c.status],
                sla=sla,
                waiting=waiting,
                assignee=person(c.assignee) if c.assignee_id else unassigned,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - each row was built with format_html
