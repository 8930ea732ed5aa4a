"""Reads for the team and rota pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from channels.models import Channel
from inbox.models import Conversation
from teams.models import Member, Team
from teams.rota import coverage, on_shift, shift_ends, shift_intervals
from teams.services.rota import rota_load

OPEN = (Conversation.Status.NEW, Conversation.Status.OPEN, Conversation.Status.WAITING)


@dataclass(frozen=True)
class MemberNow:
    member: Member
    open_count: int
    on_shift: bool
    shift_ends_at: datetime | None


def team_now(*, team: Team, now: datetime) -> list[MemberNow]:
    """Each member of the team: open workload, and whether they are on shift now and until when."""
    rota = rota_load(team=team, start=now, end=now + timedelta(days=1))
    working = on_shift(rota, now)
    members = list(
        team.members.select_related("user").annotate(
            open_count=Count("user__assigned_conversations", filter=Q(user__assigned_conversations__status__in=OPEN))
        )
    )
    return [
        MemberNow(
            member=m,
            open_count=m.open_count,
            on_shift=m.pk in working and not m.away,
            shift_ends_at=shift_ends(rota, m.pk, now) if m.pk in working else None,
        )
        for m in members
    ]


@dataclass(frozen=True)
class RotaWeek:
    monday: date
    days: list[date]
    # rows of (hour, [cell per day]); a cell is the list of members covering that whole hour
    rows: list[tuple[int, list[list[Member]]]]
    coverage_by_channel: list[tuple[Channel, float]]
    gaps_next_7_days: list[tuple[datetime, datetime]]


def rota_week(*, team: Team, monday: date, now: datetime) -> RotaWeek:
    zone = ZoneInfo(team.time_zone)
    start = datetime.combine(monday, time(0), zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), zone)
    rota = rota_load(team=team, start=start, end=end)
    intervals = shift_intervals(rota, start, end)
    members = {m.pk: m for m in team.members.select_related("user")}
    days = [monday + timedelta(days=n) for n in range(7)]
    rows = []
    for hour in range(24):
        cells = []
        for day in days:
            cell_start = datetime.combine(day, time(hour), zone)
            cell_end = cell_start + timedelta(hours=1)
            present = sorted(
                {m for m, begin, finish in intervals if begin <= cell_start and finish >= cell_end},
            )
            cells.append([members[m] for m in present if m in members])
        rows.append((hour, cells))
    by_channel = []
    for channel in team.channels.order_by("name"):
        slots = None
        for other in channel.teams.all():
            other_slots = coverage(rota_load(team=other, start=start, end=end), start, end).covered
            slots = other_slots if slots is None else [a or b for a, b in zip(slots, other_slots, strict=True)]
        covered = sum(slots) if slots else 0
        by_channel.append((channel, round(100 * covered / len(slots), 1) if slots else 0.0))
    since = now.replace(minute=now.minute - now.minute % 30, second=0, microsecond=0)
    upcoming = coverage(
        rota_load(team=team, start=since, end=since + timedelta(days=7)), since, since + timedelta(days=7)
    )
    return RotaWeek(
        monday=monday, days=days, rows=rows, coverage_by_channel=by_channel, gaps_next_7_days=upcoming.gaps()
    )
