"""Reads of the inbox, shared by the pages and the API.

Nothing here grows with history. Lists are read a page at a time by keyset
(the sort key of the last row shown, not an offset), each sort served by an
index (migration 0010); counts read only open work, through a partial index;
search reads a per-conversation full-text document through a GIN index and
counts at most ``SEARCH_CAP`` matches.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Count, F, Q, QuerySet
from django.db.models.expressions import RawSQL

from core import live
from core.memo import forget, read_on_every_page, remembered
from inbox.models import Conversation, ConversationEvent, Message

logger = logging.getLogger(__name__)

SCOPES = ("all", "mine", "unassigned", "late")
LATE = (Conversation.SlaState.AT_RISK, Conversation.SlaState.BREACHED)
OPEN_STATUSES = (Conversation.Status.NEW, Conversation.Status.OPEN, Conversation.Status.WAITING)
# Open and owed an answer.
AWAITING = (Conversation.Status.NEW, Conversation.Status.OPEN)
PAGE_SIZE = 25
# Beyond this many matches a search says "more than 1,000" instead of counting them all.
SEARCH_CAP = 1000

# Sort orders: (field, descending); NULLs always last; ``id`` last, so every key is unique.
# Oldest unanswered first (the default), then the newest activity.
OLDEST_ORDER = (("waiting_since", False), ("last_inbound_at", True), ("id", True))
# The work queue by deadline: nearest deadline, then oldest unanswered, then newest activity.
QUEUE_ORDER = (("sla_due_at", False), ("waiting_since", False), ("last_inbound_at", True), ("id", True))
# Newest activity first (and search results).
NEWEST_ORDER = (("last_inbound_at", True), ("id", True))
SORTS = {"oldest": OLDEST_ORDER, "newest": NEWEST_ORDER, "deadline": QUEUE_ORDER}
# ``?sla_state=``: the two states a person acts on, never lumped together.
SLA_STATES = {"at_risk": Conversation.SlaState.AT_RISK, "overdue": Conversation.SlaState.BREACHED}


def _int(value) -> int | None:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox shows. ``status`` "" means every status that is not resolved.

    ``assignee``: a user id, or "none" for nobody; ``sla_state``: "at_risk" or
    "overdue"; ``category``: a category's slug; ``unanswered``: only those still
    owed an answer; ``team``: the channels a team attends. ``sort``: "oldest"
    waiting first (the default), "newest", or nearest "deadline"; a search lists
    the newest first."""

    status: str = ""
    channel: int | None = None
    scope: str = "all"
    q: str = ""
    assignee: int | str | None = None
    category: str = ""
    priority: int | None = None
    tag: str = ""
    sla_state: str = ""
    unanswered: bool = False
    team: int | None = None
    replied_today: int | None = None
    sort: str = "oldest"

    @classmethod
    def from_params(cls, params) -> InboxFilters:
        status = params.get("status", "")
        if status not in Conversation.Status.values and status != "any":
            status = ""
        scope = params.get("scope", "all")
        if scope not in SCOPES:
            scope = "all"
        # PostgreSQL text cannot hold NUL: a "%00" in the address must not reach it.
        q = params.get("q", "").replace("\x00", "").strip()[:200]
        raw_assignee = params.get("assignee", "")
        assignee: int | str | None = "none" if raw_assignee == "none" else _int(raw_assignee)
        priority = _int(params.get("priority"))
        if priority not in Conversation.Priority.values:
            priority = None
        sla_state = params.get("sla_state", "")
        sort = params.get("sort", "oldest")
        return cls(
            status=status,
            channel=_int(params.get("channel")),
            scope=scope,
            q=q,
            assignee=assignee,
            category=params.get("category", "").replace("\x00", "").strip()[:40],
            priority=priority,
            tag=params.get("tag", "").replace("\x00", "").strip()[:100],
            sla_state=sla_state if sla_state in SLA_STATES else "",
            unanswered=params.get("unanswered", "") in ("1", "true"),
            team=_int(params.get("team")),
            replied_today=_int(params.get("replied_today")),
            sort=sort if sort in SORTS else "oldest",
        )

    def params(self, **changes) -> dict[str, str]:
        """These filters (with ``changes``) as query parameters, without empty or default values."""
        f = replace(self, **changes)
        params = {
            "scope": f.scope if f.scope != "all" else "",
            "status": f.status,
            "channel": f.channel or "",
            "team": f.team or "",
            "replied_today": f.replied_today or "",
            "assignee": f.assignee or "",
            "category": f.category,
            "priority": f.priority or "",
            "tag": f.tag,
            "sla_state": f.sla_state,
            "unanswered": "1" if f.unanswered else "",
            "sort": f.sort if f.sort != "oldest" else "",
            "q": f.q,
        }
        return {k: str(v) for k, v in params.items() if v}

    def query(self, **changes) -> str:
        """These filters (with ``changes``) as a query string, without empty values."""
        return urlencode(self.params(**changes))


def filter_errors(params) -> dict[str, list[str]]:
    """What is wrong with the filters in ``params`` (for the API, which says so
    instead of ignoring them, as the pages do); empty when all parse."""
    errors: dict[str, list[str]] = {}
    for name in ("channel", "team", "replied_today"):
        if params.get(name) and _int(params.get(name)) is None:
            errors[name] = ["Expected a positive integer id."]
    assignee = params.get("assignee")
    if assignee and assignee != "none" and _int(assignee) is None:
        errors["assignee"] = ["Expected a user id or `none`."]
    priority = params.get("priority")
    if priority and _int(priority) not in Conversation.Priority.values:
        errors["priority"] = [f"Expected one of {', '.join(str(v) for v in Conversation.Priority.values)}."]
    for name, allowed in (("sla_state", SLA_STATES), ("sort", SORTS)):
        value = params.get(name)
        if value and value not in allowed:
            errors[name] = [f"Expected one of {', '.join(allowed)}."]
    if params.get("unanswered") and params.get("unanswered") not in ("1", "true", "0", "false"):
        errors["unanswered"] = ["Expected 1 or 0."]
    return errors


@dataclass(frozen=True)
class InboxPage:
    """One page of a list: its rows and the cursors of the pages either side (None at the ends)."""

    items: list[Conversation]
    next_cursor: str | None
    previous_cursor: str | None


# --- Lists ----------------------------------------------------------------------------------


def conversation_list(*, user, filters: InboxFilters) -> QuerySet[Conversation]:
    """Conversations matching ``filters`` in their list order: the work queue's
    (nearest deadline, oldest unanswered, newest activity), or newest first when searching."""
    return _listed(_scoped(user, filters, with_status=True)).order_by(*_ordering(_order(filters)))


def _listed(qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    # A list never needs the channels' credentials: not decrypted for each row.
    return qs.select_related("channel", "contact", "assignee", "category").defer("channel__credentials")


# What a row of the inbox page shows (and its cursors need): reading only these
# makes a page's 25 rows, with their channel, contact, assignee and category,
# a third as costly to build as whole rows. The API reads whole rows.
ROW_COLUMNS = (
    "id",
    "status",
    "subject",
    "snippet",
    "sla_due_at",
    "sla_state",
    "waiting_since",
    "last_inbound_at",
    "channel",
    "contact",
    "assignee",
    "category",
    "channel__name",
    "contact__display_name",
    "contact__handle",
    "contact__external_id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "category__name",
    "category__colour",
)


def conversation_page(
    *,
    user,
    filters: InboxFilters,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
    columns: tuple[str, ...] | None = None,
) -> InboxPage:
    """The ``size`` conversations after the cursor ``after`` (or before ``before``;
    the first page without either). A cursor that does not parse is ignored.
    ``columns``: read only these (``ROW_COLUMNS`` for a page's rows), else whole rows."""
    order = _order(filters)
    qs = _listed(_scoped(user, filters, with_status=True))
    if columns:
        qs = qs.only(*columns)
    after_key, before_key = _decode(after, order), _decode(before, order)
    if before_key is not None and after_key is None:
        rows = list(
            qs.filter(_beyond(order, before_key, backwards=True)).order_by(*_ordering(order, backwards=True))[
                : size + 1
            ]
        )
        more = len(rows) > size
        rows = rows[:size][::-1]
        return InboxPage(
            items=rows,
            next_cursor=_encode(rows[-1], order) if rows else None,
            previous_cursor=_encode(rows[0], order) if rows and more else None,
        )
    if after_key is not None:
        qs = qs.filter(_beyond(order, after_key, backwards=False))
    rows = list(qs.order_by(*_ordering(order))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return InboxPage(
        items=rows,
        next_cursor=_encode(rows[-1], order) if rows and more else None,
        previous_cursor=_encode(rows[0], order) if rows and after_key is not None else None,
    )


def _order(filters: InboxFilters) -> tuple[tuple[str, bool], ...]:
    return NEWEST_ORDER if filters.q else SORTS[filters.sort]


def _ordering(order, *, backwards: bool = False) -> list:
    out = []
    for field, descending in order:
        if field == "id":
            out.append(F("id").asc() if descending == backwards else F("id").desc())
        else:
            nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
            out.append(F(field).desc(**nulls) if descending != backwards else F(field).asc(**nulls))
    return out


def _beyond(order, key: list, *, backwards: bool) -> Q:
    """Rows strictly after ``key`` in ``order`` (NULLs last), or strictly before it.

    Built from the last field up, nested as ``strict₁ OR (equal₁ AND (strict₂ OR …))``
    so the equalities on the leading fields stay plain conditions the index serves."""
    condition: Q | None = None
    for (field, descending), value in reversed(list(zip(order, key, strict=True))):
        upward = descending == backwards  # rows beyond have a larger value
        if value is None:
            equal = Q(**{f"{field}__isnull": True})
            # NULLs sort last: nothing is beyond them going forward, every value is going back.
            strict = Q(**{f"{field}__isnull": False}) if backwards else None
        else:
            equal = Q(**{field: value})
            strict = Q(**{f"{field}__{'gt' if upward else 'lt'}": value})
            if not backwards and field != "id":
                strict |= Q(**{f"{field}__isnull": True})
        if condition is None:
            condition = strict if strict is not None else Q(pk__in=[])
        else:
            rest = equal & condition
            condition = rest if strict is None else strict | rest
    return condition if condition is not None else Q(pk__in=[])


def _encode(row: Conversation, order) -> str:
    values = []
    for field, _descending in order:
        value = getattr(row, field)
        values.append(value.isoformat() if isinstance(value, datetime) else value)
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str | None, order) -> list | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(order):
            return None
        key: list = []
        for (field, _descending), value in zip(order, values, strict=True):
            if field == "id":
                if not isinstance(value, int) or isinstance(value, bool):
                    return None
                key.append(value)
            else:
                key.append(None if value is None else datetime.fromisoformat(value))
        return key
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


# --- Counts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxCounts:
    """How many conversations each status tab holds. ``None``: not counted (the
    resolved tab, which only grows; or every tab when a search matches more than ``SEARCH_CAP``)."""

    by_status: dict[str, int | None]
    active: int | None
    # The sidebar's open conversations: all, mine, unassigned, late (whatever the filters).
    scopes: dict[str, int]
    capped: bool = False


# Counts are kept at most this long even when no change was published (a bound
# for anything that changes without the event log: a team's channels, the day).
COUNTS_SECONDS = 60


def conversation_counts(*, user, filters: InboxFilters) -> InboxCounts:
    """Open conversations per status within the other filters, and the sidebar's
    counts, in one query over the partial index on open work. A search counts its
    matches in every status, up to ``SEARCH_CAP``.

    Kept in the cache under the number of live changes published so far
    (``core.live.version``): every change to a conversation goes through the
    event log, which publishes one, so the next page after a change counts
    afresh and every page until then reads the same numbers without asking
    PostgreSQL. Searches are not kept (each is its own question)."""
    version = None if filters.q else live.version()
    if version is None:
        return _conversation_counts(user=user, filters=filters)
    what = filters.query(status="", sort="oldest")
    key = f"inbox:counts:{version}:{getattr(user, 'pk', 0)}:{hashlib.sha256(what.encode()).hexdigest()}"
    try:
        counts = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable; counting.", exc_info=True)
        return _conversation_counts(user=user, filters=filters)
    if counts is None:
        counts = _conversation_counts(user=user, filters=filters)
        try:
            cache.set(key, counts, COUNTS_SECONDS)
        except Exception:
            logger.warning("Cache unavailable; counts not kept.", exc_info=True)
    return counts


def _conversation_counts(*, user, filters: InboxFilters) -> InboxCounts:
    qs = _scoped(user, filters, with_status=False)
    if filters.q:
        found = Counter(qs.values_list("status", flat=True)[: SEARCH_CAP + 1])
        scopes = scope_counts(user=user)
        if sum(found.values()) > SEARCH_CAP:
            return InboxCounts(
                by_status=dict.fromkeys(Conversation.Status.values), active=None, scopes=scopes, capped=True
            )
        found_by_status: dict[str, int | None] = {status: found[status] for status in Conversation.Status.values}
        active = sum(found[s] for s in OPEN_STATUSES)
        return InboxCounts(by_status=found_by_status, active=active, scopes=scopes)
    within = _filtered(Q(), user, filters)
    totals = Conversation.objects.filter(status__in=OPEN_STATUSES).aggregate(
        **{status: Count("status", filter=within & Q(status=status)) for status in OPEN_STATUSES},
        **_scope_aggregates(user),
    )
    by_status: dict[str, int | None] = {status: totals[status] for status in OPEN_STATUSES}
    by_status[Conversation.Status.RESOLVED] = None
    return InboxCounts(
        by_status=by_status,
        active=sum(by_status[s] or 0 for s in OPEN_STATUSES),
        scopes={scope: totals[f"scope_{scope}"] for scope in SCOPES},
    )


def _scope_aggregates(user) -> dict[str, Count]:
    # COUNT(status), not COUNT(id): every column read is in the partial index, so
    # PostgreSQL counts from the index alone.
    return {
        "scope_all": Count("status"),
        "scope_mine": Count("status", filter=Q(assignee=user)),
        "scope_unassigned": Count("status", filter=Q(assignee__isnull=True)),
        "scope_late": Count("status", filter=Q(sla_state__in=LATE)),
    }


def scope_counts(*, user) -> dict[str, int]:
    """Open conversations: all, mine, unassigned, late (for the sidebar)."""
    totals = Conversation.objects.filter(status__in=OPEN_STATUSES).aggregate(**_scope_aggregates(user))
    return {scope: totals[f"scope_{scope}"] for scope in SCOPES}


CHOICES = "inbox_choices"
read_on_every_page(CHOICES, per_user=False)


def inbox_choices() -> dict[str, list[tuple]]:
    """What the inbox's filter and bulk bars offer, as (value, label): channels,
    the people who can be given conversations, categories. Every inbox page
    shows them: remembered for everyone, forgotten when a channel, a category,
    a user or a user's groups change (``inbox_choices_forget``, connected in
    ``InboxConfig.ready``)."""
    from channels.models import Channel
    from inbox.forms import _categories
    from inbox.services.conversations import assignable_users

    def read() -> dict[str, list[tuple]]:
        people = assignable_users().only("pk", "username", "first_name", "last_name")
        return {
            "channels": list(Channel.objects.values_list("pk", "name")),
            "assignees": [(u.pk, u.get_full_name() or u.username) for u in people],
            "categories": list(_categories().values_list("slug", "name")),
        }

    return remembered(CHOICES, 0, read)


def inbox_choices_forget(*_args, **_kwargs) -> None:
    """Signal receiver: a channel, category, user or user's groups changed."""
    forget(CHOICES, 0)


SAVED_VIEWS = "saved_views"
read_on_every_page(SAVED_VIEWS, per_user=False)


def saved_views_for(*, user) -> list:
    """The person's own views and those others shared with the team, by name.

    Every page of the inbox shows them: all views are remembered together
    (``core.memo``; forgotten whenever one is saved or deleted) and picked here."""
    from inbox.models import SavedView

    every = remembered(
        SAVED_VIEWS,
        0,
        lambda: list(
            SavedView.objects.select_related("owner")
            .only(
                "pk", "name", "query", "shared", "owner_id", "owner__username", "owner__first_name", "owner__last_name"
            )
            .order_by("name", "pk")
        ),
    )
    return [view for view in every if view.owner_id == user.pk or view.shared]


def late_lines(user) -> list[tuple[str, int, str]]:
    """For the alerts page: open conversations overdue and at risk, each with its
    inbox link (``core.alerts.late_now``); one query over the open-work index."""
    from django.urls import reverse
    from django.utils.translation import ngettext

    totals = Conversation.objects.filter(status__in=OPEN_STATUSES, sla_state__in=LATE).aggregate(
        overdue=Count("status", filter=Q(sla_state=Conversation.SlaState.BREACHED)),
        at_risk=Count("status", filter=Q(sla_state=Conversation.SlaState.AT_RISK)),
    )
    inbox = reverse("inbox:list")
    return [
        (
            ngettext("%(n)s conversation overdue", "%(n)s conversations overdue", totals["overdue"])
            % {"n": totals["overdue"]},
            totals["overdue"],
            f"{inbox}?{InboxFilters(sla_state='overdue').query()}",
        ),
        (
            ngettext("%(n)s conversation at risk", "%(n)s conversations at risk", totals["at_risk"])
            % {"n": totals["at_risk"]},
            totals["at_risk"],
            f"{inbox}?{InboxFilters(sla_state='at_risk').query()}",
        ),
    ]


def conversation_detail(*, pk: int) -> Conversation:
    """One conversation with what its page shows; raises ``Conversation.DoesNotExist``."""
    return Conversation.objects.select_related("channel", "contact", "assignee", "category", "sla_policy").get(pk=pk)


# More identities than this for one person or address is not one person.
IDENTITIES_CAP = 200


def conversations_of_same_person(*, conversation: Conversation, limit: int = 10) -> list[Conversation]:
    """The person's other conversations on any channel: those of the contact's
    person (every identity gathered into it) and those matched by e-mail address
    (the website form and the mailbox are one history); newest first."""
    email = (conversation.contact.email or "").strip()
    person_id = conversation.contact.person_id
    if not email and not person_id:
        return []
    from inbox.models import Contact

    same = Q()
    if email:
        same |= Q(email__iexact=email) & ~Q(email="")  # the partial index's condition
    if person_id:
        same |= Q(person_id=person_id)
    # The identities first (by the e-mail and person indexes), then their
    # conversations: joined in one query, PostgreSQL walks every conversation
    # newest first looking for them (seconds at 300,000 conversations).
    contact_ids = list(Contact.objects.filter(same).values_list("pk", flat=True)[:IDENTITIES_CAP])
    return list(
        Conversation.objects.filter(contact_id__in=contact_ids)
        .exclude(pk=conversation.pk)
        .select_related("channel")
        .order_by(F("last_inbound_at").desc(nulls_last=True), "-id")[:limit]
    )


def persons_search(*, q: str, exclude: int | None = None, limit: int = 10) -> list:
    """People (not merged away) with an identity whose name, handle, e-mail or
    network id starts with ``q``; at most ``limit``."""
    from inbox.models import Contact, Person

    q = q.strip().lstrip("@")
    if len(q) < 2:
        return []
    found = Contact.objects.filter(person__isnull=False, person__merged_into__isnull=True)
    if exclude is not None:
        found = found.exclude(person_id=exclude)
    ids = (
        found.filter(
            Q(display_name__istartswith=q)
            | Q(handle__istartswith=q)
            | Q(handle__istartswith="@" + q)
            | Q(email__istartswith=q)
            | Q(external_id=q)
        )
        .values_list("person_id", flat=True)
        .distinct()[:limit]
    )
    return list(Person.objects.filter(pk__in=list(ids)).prefetch_related("contacts__channel"))


def conversation_thread(*, conversation: Conversation):
    return conversation.messages.select_related("sender", "author_contact").order_by("created_at", "id")


# What the conversation page shows of each message (inbox/_message.html), and of its author.
THREAD_SHOWN = (
    *("id", "direction", "author_contact_id", "sender_id", "body", "attachments", "created_at"),
    *("delivery_status", "delivery_error", "to_private", "template", "network_status", "network_status_at"),
    *("network_error", "edited_at", "removed_at", "hidden_at", "hidden_reason"),
    *("sender__username", "sender__first_name", "sender__last_name"),
    *("author_contact__display_name", "author_contact__handle", "author_contact__external_id"),
)


def conversation_thread_shown(*, conversation: Conversation) -> list[dict]:
    """The thread as its page shows it: only the columns it reads, as dictionaries."""
    return list(Message.objects.filter(conversation=conversation).order_by("created_at", "id").values(*THREAD_SHOWN))


def conversation_history_shown(*, conversation: Conversation, limit: int = 30) -> list[dict]:
    """The newest events of a conversation as its page shows them, with their actor's name."""
    events = ConversationEvent.objects.filter(conversation=conversation).order_by("-created_at", "-id")
    fields = ("kind", "data", "created_at", "actor_id", "actor__first_name", "actor__last_name", "actor__username")
    return list(events.values(*fields)[:limit])


def message_shown(*, pk: int, direction: str) -> dict | None:
    """One message as its page shows it (``THREAD_SHOWN``); None if there is none."""
    return Message.objects.filter(pk=pk, direction=direction).values(*THREAD_SHOWN).first()


def _scoped(user, filters: InboxFilters, *, with_status: bool) -> QuerySet[Conversation]:
    qs: QuerySet[Conversation] = Conversation.objects.all()
    if with_status:
        if filters.status == "":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif filters.status != "any":
            qs = qs.filter(status=filters.status)
            if filters.status == Conversation.Status.RESOLVED and filters.scope == "late":
                return qs.none()  # a resolved conversation has no deadline left
    qs = qs.filter(_filtered(Q(), user, filters))
    if filters.q:
        qs = _search(qs, search_terms(filters.q))
    return qs


def _filtered(condition: Q, user, filters: InboxFilters) -> Q:
    """``condition`` and every filter but the status and the search."""
    if filters.channel:
        condition &= Q(channel_id=filters.channel)
    if filters.replied_today:
        # The conversations this person sent a reply in since midnight (business time zone),
        # from today's events (indexed by time).
        from zoneinfo import ZoneInfo

        from django.conf import settings
        from django.utils import timezone as tz

        zone = ZoneInfo(settings.TIME_ZONE)
        midnight = tz.now().astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        condition &= Q(
            pk__in=ConversationEvent.objects.filter(
                kind=ConversationEvent.Kind.REPLY_SENT, actor_id=filters.replied_today, created_at__gte=midnight
            ).values("conversation_id")
        )
    if filters.team:
        condition &= Q(channel__teams=filters.team)
    if filters.assignee == "none":
        condition &= Q(assignee__isnull=True)
    elif filters.assignee:
        condition &= Q(assignee_id=filters.assignee)
    if filters.category:
        condition &= Q(category__slug=filters.category)
    if filters.priority:
        condition &= Q(priority=filters.priority)
    if filters.tag:
        if connection.vendor == "postgresql":
            condition &= Q(tags__contains=[filters.tag])  # jsonb @>, served by a GIN index (migration 0016)
        else:
            condition &= Q(tags__icontains=json.dumps(filters.tag))
    if filters.sla_state:
        condition &= Q(sla_state=SLA_STATES[filters.sla_state])
    if filters.unanswered:
        condition &= Q(waiting_since__isnull=False, status__in=AWAITING)
    if filters.scope == "mine":
        condition &= Q(assignee=user)
    elif filters.scope == "unassigned":
        condition &= Q(assignee__isnull=True)
    elif filters.scope == "late":
        condition &= Q(sla_state__in=LATE)
    return condition


# --- Search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchTerms:
    """A search box's text, parsed: every part must match.

    - words: match the start of a word (``pedid`` finds «pedido»), accents and case ignored;
    - phrases (``"sin gluten"``): these words, in this order, next to each other;
    - handles (``@lucia_1``): a contact's handle exactly (case ignored);
    - e-mail addresses: a contact's address exactly."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    handles: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases or self.handles or self.emails)

    def tsquery(self) -> str:
        """The terms as a PostgreSQL ``tsquery`` (before ``unaccent``); "" without text terms."""
        parts = [f"'{word}':*" for word in self.words]
        parts += ["(" + " <-> ".join(f"'{w}'" for w in phrase) + ")" for phrase in self.phrases]
        parts += [f"'{email}'" for email in self.emails]
        return " & ".join(parts)


_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
_HANDLE = re.compile(r"^@([\w.]+)$")


def search_terms(text: str) -> SearchTerms:
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    handles: list[str] = []
    emails: list[str] = []
    for quoted, bare in _CHUNK.findall(text):
        if quoted:
            phrase = tuple(_WORD.findall(quoted.lower()))
            if len(phrase) > 1:
                phrases.append(phrase)
            else:
                words.extend(phrase)
        elif handle := _HANDLE.match(bare):
            handles.append(handle.group(1))
        elif _EMAIL.match(bare):
            emails.append(bare.lower())
        else:
            words.extend(_WORD.findall(bare.lower()))
    return SearchTerms(words=tuple(words), phrases=tuple(phrases), handles=tuple(handles), emails=tuple(emails))


def _search(qs: QuerySet[Conversation], terms: SearchTerms) -> QuerySet[Conversation]:
    if not terms:
        return qs.none()
    for handle in terms.handles:
        qs = qs.filter(contact__handle__iexact=handle)
    if connection.vendor == "postgresql":
        tsquery = terms.tsquery()
        if tsquery:
            qs = qs.filter(
                RawSQL(
                    "inbox_conversation.search_document @@ to_tsquery('simple'::regconfig, mostrador_unaccent(%s))",
                    [tsquery],
                    output_field=BooleanField(),
                )
            )
        return qs
    # The embedded SQLite default: every term anywhere, with LIKE (accents not folded).
    for text in [*terms.words, *(" ".join(p) for p in terms.phrases), *terms.emails]:
        in_messages = Message.objects.filter(body__icontains=text).values("conversation_id")
        qs = qs.filter(
            Q(contact__display_name__icontains=text)
            | Q(contact__handle__icontains=text)
            | Q(contact__email__icontains=text)
            | Q(subject__icontains=text)
            | Q(pk__in=in_messages)
        )
    return qs
