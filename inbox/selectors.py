"""Reads of the inbox, shared by the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from inbox.models import Conversation

SCOPES = ("all", "mine", "unassigned", "late")
LATE = (Conversation.SlaState.AT_RISK, Conversation.SlaState.BREACHED)
OPEN_STATUSES = (Conversation.Status.NEW, Conversation.Status.OPEN, Conversation.Status.WAITING)


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox shows. ``status`` "" means every status that is not resolved."""

    status: str = ""
    channel: int | None = None
    scope: str = "all"
    q: str = ""

    @classmethod
    def from_params(cls, params) -> InboxFilters:
        status = params.get("status", "")
        if status not in Conversation.Status.values and status != "any":
            status = ""
        scope = params.get("scope", "all")
        if scope not in SCOPES:
            scope = "all"
        try:
            channel = int(params.get("channel") or 0) or None
        except ValueError:
            channel = None
        return cls(status=status, channel=channel, scope=scope, q=params.get("q", "").strip()[:200])


def conversation_list(*, user, filters: InboxFilters) -> QuerySet[Conversation]:
    """Conversations matching ``filters``: nearest deadline first, then oldest unanswered, then newest activity."""
    qs = _scoped(user, filters, with_status=True)
    return qs.select_related("channel", "contact", "assignee", "category").order_by(
        F("sla_due_at").asc(nulls_last=True),
        F("waiting_since").asc(nulls_last=True),
        F("last_inbound_at").desc(nulls_last=True),
        "-id",
    )


def conversation_counts(*, user, filters: InboxFilters) -> dict[str, int]:
    """How many conversations each status has, within the other filters."""
    qs = _scoped(user, filters, with_status=False)
    rows = qs.values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in Conversation.Status.values}
    for row in rows:
        counts[row["status"]] = row["n"]
    counts["active"] = sum(counts[s] for s in OPEN_STATUSES)
    return counts


def scope_counts(*, user) -> dict[str, int]:
    """Open conversations: all, mine, unassigned (for the sidebar)."""
    open_qs = Conversation.objects.filter(status__in=OPEN_STATUSES)
    return open_qs.aggregate(
        all=Count("id"),
        mine=Count("id", filter=Q(assignee=user)),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
        late=Count("id", filter=Q(sla_state__in=LATE)),
    )


def conversation_detail(*, pk: int) -> Conversation:
    """One conversation with what its page shows; raises ``Conversation.DoesNotExist``."""
    return Conversation.objects.select_related("channel", "contact", "assignee", "category", "sla_policy").get(pk=pk)


def conversations_of_same_person(*, conversation: Conversation, limit: int = 10) -> list[Conversation]:
    """The person's other conversations on any channel, matched by e-mail address
    (the website form and the mailbox are one history); newest first."""
    email = (conversation.contact.email or "").strip()
    if not email:
        return []
    return list(
        Conversation.objects.filter(contact__email__iexact=email)
        .exclude(pk=conversation.pk)
        .select_related("channel")
        .order_by(F("last_inbound_at").desc(nulls_last=True), "-id")[:limit]
    )


def conversation_thread(*, conversation: Conversation):
    return conversation.messages.select_related("sender", "author_contact").order_by("created_at", "id")


def _scoped(user, filters: InboxFilters, *, with_status: bool) -> QuerySet[Conversation]:
    qs = Conversation.objects.all()
    if with_status:
        if filters.status == "":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif filters.status != "any":
            qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel_id=filters.channel)
    if filters.scope == "mine":
        qs = qs.filter(assignee=user)
    elif filters.scope == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif filters.scope == "late":
        qs = qs.filter(sla_state__in=LATE)
    if filters.q:
        match = (
            Q(contact__display_name__icontains=filters.q)
            | Q(contact__handle__icontains=filters.q)
            | Q(contact__email__icontains=filters.q)
            | Q(subject__icontains=filters.q)
        )
        # Text its author removed on the network is kept for the record but not searched.
        with_text = Conversation.objects.filter(
            messages__body__icontains=filters.q, messages__removed_at__isnull=True
        ).values("pk")
        qs = qs.filter(match | Q(pk__in=with_text))
    return qs
