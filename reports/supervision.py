"""The supervision page's figures: what waits per team and channel, and each
gestor's load and pace today. A fixed number of queries, whatever the data:
open work through the partial indexes on open conversations, today's first
responses from the conversation facts (within their week index), replies and
last activity from today's events.

Every conversation figure comes with the inbox filter that lists exactly the
conversations it counts (``InboxFilters.query``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from statistics import median
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q

from channels.models import Channel
from inbox.models import Conversation, ConversationEvent
from inbox.selectors import AWAITING, OPEN_STATUSES, InboxFilters
from reports.models import ConversationFact
from reports.weeks import business_zone
from teams.models import Member, Team
from teams.rota import on_shift
from teams.services.rota import rotas_load


@dataclass
class Figures:
    """Unanswered, at risk, overdue and the oldest waiting of some open conversations,
    each count with the inbox query that lists them."""

    filters: InboxFilters
    unanswered: int = 0
    at_risk: int = 0
    overdue: int = 0
    oldest_waiting: datetime | None = None

    def add(self, other: Figures) -> None:
        self.unanswered += other.unanswered
        self.at_risk += other.at_risk
        self.overdue += other.overdue
        if other.oldest_waiting and (self.oldest_waiting is None or other.oldest_waiting < self.oldest_waiting):
            self.oldest_waiting = other.oldest_waiting

    @property
    def unanswered_query(self) -> str:
        return self.filters.query(unanswered=True)

    @property
    def at_risk_query(self) -> str:
        return self.filters.query(sla_state="at_risk")

    @property
    def overdue_query(self) -> str:
        return self.filters.query(sla_state="overdue")


@dataclass
class TeamRow:
    team: Team
    total: Figures
    channels: list[tuple[str, Figures]] = field(default_factory=list)


@dataclass
class PersonRow:
    user_id: int
    name: str
    on_shift: bool
    capacity: int
    open_count: int
    at_risk: int
    overdue: int
    replies_today: int
    median_first_response: float | None  # seconds
    last_activity: datetime | None

    @property
    def filters(self) -> InboxFilters:
        return InboxFilters(assignee=self.user_id)

    @property
    def open_query(self) -> str:
        return self.filters.query()

    @property
    def at_risk_query(self) -> str:
        return self.filters.query(sla_state="at_risk")

    @property
    def overdue_query(self) -> str:
        return self.filters.query(sla_state="overdue")

    @property
    def replies_query(self) -> str:
        """The conversations they replied in today (any status)."""
        return InboxFilters(replied_today=self.user_id, status="any").query()

    @property
    def over_capacity(self) -> bool:
        return self.open_count > self.capacity


@dataclass
class Supervision:
    teams: list[TeamRow]
    on_shift: list[PersonRow]
    off_shift: list[PersonRow]


def supervision(*, now: datetime) -> Supervision:
    teams = list(
        Team.objects.order_by("name", "pk").prefetch_related(
            # Names only: the channels' credentials are not decrypted for nothing.
            Prefetch("channels", queryset=Channel.objects.only("pk", "name")),
            Prefetch("members", queryset=Member.objects.select_related("user"), to_attr="members_now"),
        )
    )
    by_channel, by_person = _open_figures()
    rows = []
    for team in teams:
        row = TeamRow(team=team, total=Figures(filters=InboxFilters(team=team.pk)))
        for channel in sorted(team.channels.all(), key=lambda c: c.name):
            figures = by_channel.get(channel.pk) or Figures(filters=InboxFilters(channel=channel.pk))
            row.channels.append((channel.name, figures))
            row.total.add(figures)
        rows.append(row)
    people = _people(teams, by_person, now)
    return Supervision(
        teams=rows,
        on_shift=[p for p in people if p.on_shift],
        off_shift=[p for p in people if not p.on_shift],
    )


def _open_figures() -> tuple[dict[int, Figures], dict[int, dict[str, int]]]:
    """Open conversations counted per channel and per assignee, in one query
    grouped by both (read from the partial index on open work)."""
    awaiting = Q(status__in=AWAITING, waiting_since__isnull=False)
    rows = (
        Conversation.objects.filter(status__in=OPEN_STATUSES)
        .values("channel_id", "assignee_id")
        .annotate(
            open=Count("pk"),
            unanswered=Count("pk", filter=awaiting),
            at_risk=Count("pk", filter=Q(sla_state=Conversation.SlaState.AT_RISK)),
            overdue=Count("pk", filter=Q(sla_state=Conversation.SlaState.BREACHED)),
            oldest=Min("waiting_since", filter=awaiting),
        )
        .order_by()
    )
    by_channel: dict[int, Figures] = {}
    by_person: dict[int, dict[str, int]] = {}
    for row in rows:
        figures = Figures(
            filters=InboxFilters(channel=row["channel_id"]),
            unanswered=row["unanswered"],
            at_risk=row["at_risk"],
            overdue=row["overdue"],
            oldest_waiting=row["oldest"],
        )
        if row["channel_id"] in by_channel:
            by_channel[row["channel_id"]].add(figures)
        else:
            by_channel[row["channel_id"]] = figures
        if row["assignee_id"] is not None:
            person = by_person.setdefault(row["assignee_id"], {"open": 0, "at_risk": 0, "overdue": 0})
            person["open"] += row["open"]
            person["at_risk"] += row["at_risk"]
            person["overdue"] += row["overdue"]
    return by_channel, by_person


def _people(teams: Sequence[Team], by_person: dict[int, dict[str, int]], now: datetime) -> list[PersonRow]:
    rotas = rotas_load(teams=teams, start=now, end=now)
    members: dict[int, tuple[Member, bool]] = {}  # user id → (member, on shift in any team)
    for team in teams:
        working = on_shift(rotas[team.pk], now)
        for member in team.members_now:  # type: ignore[attr-defined]
            seen = members.get(member.user_id)
            on = (member.pk in working and not member.away) or bool(seen and seen[1])
            members[member.user_id] = (member, on)
    ids = list(members)
    if not ids:
        return []
    zone = business_zone()
    start = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone)
    responses: dict[int, list[float]] = {}
    for user_id, seconds in ConversationFact.objects.filter(
        first_inbound_at__gte=start - timedelta(days=31),
        first_response_at__gte=start,
        first_responder_id__in=ids,
        response_seconds__isnull=False,
    ).values_list("first_responder_id", "response_seconds"):
        if seconds is not None:
            responses.setdefault(user_id, []).append(seconds)
    # Today's events by these people: their replies sent and their last action.
    today: dict[int, dict[str, Any]] = {
        row["actor_id"]: dict(row)
        for row in ConversationEvent.objects.filter(created_at__gte=start, actor_id__in=ids)
        .values("actor_id")
        .annotate(replies=Count("pk", filter=Q(kind=ConversationEvent.Kind.REPLY_SENT)), last=Max("created_at"))
        .order_by()
    }
    people = []
    for user_id, (member, on) in members.items():
        user = member.user
        load = by_person.get(user_id, {})
        people.append(
            PersonRow(
                user_id=user_id,
                name=user.get_full_name() or user.username,
                on_shift=on,
                capacity=member.capacity,
                open_count=load.get("open", 0),
                at_risk=load.get("at_risk", 0),
                overdue=load.get("overdue", 0),
                replies_today=today.get(user_id, {}).get("replies", 0),
                median_first_response=median(responses[user_id]) if user_id in responses else None,
                last_activity=today.get(user_id, {}).get("last"),
            )
        )
    return sorted(people, key=lambda p: (-p.overdue, -p.at_risk, p.name))
