"""Reads for the team and rota pages and the API."""

from __future__ import annotations

import logging
import uuid
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Prefetch, prefetch_related_objects

from channels.models import Channel
from core.memo import forget, remembered
from inbox.models import Conversation
from teams.models import Absence, ExtraShift, Member, PublicHoliday, Shift, Team
from teams.rota import coverage, shift_intervals, shifts_now
from teams.services.rota import rota_rows, rotas_from_rows, rotas_load

logger = logging.getLogger(__name__)
OPEN = (Conversation.Status.NEW, Conversation.Status.OPEN, Conversation.Status.WAITING)


@dataclass(frozen=True)
class MemberNow:
    member: Member
    open_count: int
    on_shift: bool
    shift_ends_at: datetime | None


def team_now(*, team: Team, now: datetime) -> list[MemberNow]:
    """Each member of the team: open workload, and whether they are on shift now and until when."""
    return teams_now(teams=[team], now=now)[team.pk]


def teams_now(*, teams: Iterable[Team], now: datetime) -> dict[int, list[MemberNow]]:
    """team id → ``team_now`` of each team, in a fixed number of queries however many
    teams and members: one for the members, four for the rotas, one for the open loads
    (read from the index on assignee and status, never from resolved history)."""
    teams = list(teams)
    # Fetched afresh: a team may come with its members prefetched without their users.
    prefetch_related_objects(
        teams, Prefetch("members", queryset=Member.objects.select_related("user"), to_attr="members_now")
    )
    rotas = rotas_load(teams=teams, start=now, end=now + timedelta(days=1))
    users = {m.user_id for team in teams for m in team.members_now}  # type: ignore[attr-defined]
    load = dict(
        Conversation.objects.filter(assignee_id__in=users, status__in=OPEN)
        .values("assignee_id")
        .annotate(n=Count("*"))  # COUNT(*): read from the index alone
        .order_by()
        .values_list("assignee_id", "n")
    )
    out = {}
    for team in teams:
        ends = shifts_now(rotas[team.pk], now)
        out[team.pk] = [
            MemberNow(
                member=m,
                open_count=load.get(m.user_id, 0),
                on_shift=m.pk in ends and not m.away,
                shift_ends_at=ends.get(m.pk),
            )
            for m in team.members_now  # type: ignore[attr-defined]
        ]
    return out


@dataclass(frozen=True)
class RotaWeek:
    monday: date
    days: list[date]
    # rows of (hour, [cell per day]); a cell lists the members covering that whole hour,
    # each as (full name, first name)
    rows: list[tuple[int, list[list[tuple[str, str]]]]]
    coverage_by_channel: list[tuple[Channel, float]]
    gaps_next_7_days: list[tuple[datetime, datetime]]
    # The team's rota rows to list (each with its member): all weekly shifts, extra
    # shifts not over yet, absences and holidays from this week on; and its members.
    shifts: list[Shift] = field(default_factory=list)
    extras: list[ExtraShift] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)
    holidays: list[PublicHoliday] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


# The rota's version: any change to what a week shows (shifts, extra shifts,
# absences, holidays, members, teams and their channels, people's names) forgets
# it (``rota_forget``, connected in ``TeamsConfig.ready``), and the weeks kept
# under the old one are never read again.
ROTA_VERSION = "rota_version"
WEEK_SECONDS = 1800


def rota_forget(*_args, **_kwargs) -> None:
    """Signal receiver: something a rota week shows changed."""
    forget(ROTA_VERSION, 0)


def rota_week(*, team: Team, monday: date, now: datetime) -> RotaWeek:
    """The week's grid, each channel's coverage (by every team that attends it), the
    gaps of the coming 7 days and the rota's rows, in three queries however many
    channels, teams and members: the channels with their teams, the rota rows of
    every team involved, and the members named.

    Kept in the cache for the half hour it is computed for (the gaps start at the
    half hour) until the rota changes: building it is half the rota page's cost."""
    since = now.replace(minute=now.minute - now.minute % 30, second=0, microsecond=0)
    version = remembered(ROTA_VERSION, 0, lambda: uuid.uuid4().hex)
    key = f"teams:week:{version}:{team.pk}:{team.time_zone}:{monday.isoformat()}:{since.isoformat()}"
    try:
        week = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable; building the week.", exc_info=True)
        week = None
    if week is None:
        week = _rota_week(team=team, monday=monday, since=since)
        try:
            cache.set(key, week, WEEK_SECONDS)
        except Exception:
            logger.warning("Cache unavailable; the week is not kept.", exc_info=True)
    # Extra shifts already over drop off the list as the minutes pass.
    return replace(week, extras=[x for x in week.extras if x.ends_at >= now])


def _rota_week(*, team: Team, monday: date, since: datetime) -> RotaWeek:
    zone = ZoneInfo(team.time_zone)
    start = datetime.combine(monday, time(0), zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), zone)
    through = Team.channels.through
    attending: dict[int, list[Team]] = {}
    channels: dict[int, Channel] = {}
    teams = {team.pk: team}
    # Names and time zones only (a channel's credentials are not decrypted to be shown).
    for channel_id, channel_name, team_id, time_zone in through.objects.filter(
        channel_id__in=through.objects.filter(team_id=team.pk).values("channel_id")
    ).values_list("channel_id", "channel__name", "team_id", "team__time_zone"):
        channels.setdefault(channel_id, Channel(id=channel_id, name=channel_name))
        other = teams.setdefault(team_id, Team(id=team_id, time_zone=time_zone))
        attending.setdefault(channel_id, []).append(other)
    involved = teams
    found = rota_rows(team_ids=list(involved), since=min(start, since))
    rotas = rotas_from_rows(teams=involved.values(), rows=found)
    rota = rotas[team.pk]
    team_members = found.members.get(team.pk, set())
    rows: list = [*found.shifts, *found.extras]
    named = team_members | {r.member_id for r in rows if r.team_id == team.pk}
    members = {
        m.pk: m
        for m in Member.objects.filter(pk__in=named)
        .select_related("user")
        .only("capacity", "away", "user__username", "user__first_name", "user__last_name")
    }

    days = [monday + timedelta(days=n) for n in range(7)]
    # Each hour of the week, in time order; an interval marks the hours it covers whole.
    hours = [datetime.combine(day, time(hour), zone) for day in days for hour in range(24)]
    present: list[set[int]] = [set() for _ in hours]
    for member, begin, finish in shift_intervals(rota, start, end):
        index = bisect_left(hours, begin)
        while index < len(hours) and hours[index] + timedelta(hours=1) <= finish:
            present[index].add(member)
            index += 1
    labels = {pk: (str(m), m.user.first_name or m.user.username) for pk, m in members.items()}
    rows = [
        (hour, [[labels[m] for m in sorted(present[day * 24 + hour]) if m in labels] for day in range(7)])
        for hour in range(24)
    ]
    covered_by: dict[int, list[bool]] = {}
    percent_by_teams: dict[tuple[int, ...], float] = {}  # many channels share their teams
    by_channel = []
    for channel in sorted(channels.values(), key=lambda c: (c.name, c.pk)):
        key = tuple(sorted({other.pk for other in attending[channel.pk]}))
        if key not in percent_by_teams:
            slots = None
            for other_pk in key:
                if other_pk not in covered_by:
                    covered_by[other_pk] = coverage(rotas[other_pk], start, end).covered
                other_slots = covered_by[other_pk]
                slots = other_slots if slots is None else [a or b for a, b in zip(slots, other_slots, strict=True)]
            covered = sum(slots) if slots else 0
            percent_by_teams[key] = round(100 * covered / len(slots), 1) if slots else 0.0
        by_channel.append((channel, percent_by_teams[key]))
    upcoming = coverage(rota, since, since + timedelta(days=7))

    def named_rows(items):
        for item in items:
            item.member = members[item.member_id]
        return items

    return RotaWeek(
        monday=monday,
        days=days,
        rows=rows,
        coverage_by_channel=by_channel,
        gaps_next_7_days=upcoming.gaps(),
        shifts=named_rows([s for s in found.shifts if s.team_id == team.pk]),
        extras=named_rows([x for x in found.extras if x.team_id == team.pk and x.ends_at >= since]),
        absences=named_rows([a for a in found.absences if a.member_id in team_members and a.last_day >= monday]),
        holidays=[h for h in found.holidays if h.team_id == team.pk and h.date >= monday],
        members=sorted((members[m] for m in team_members), key=lambda m: m.user.username),
    )


def people_staffing(user_ids: list[int], now: datetime):
    """``inbox.people`` provider: user id → on shift in any team (not away), open
    load, capacity; a fixed number of queries whatever the teams and members."""
    from inbox.people import Staffing

    ids = set(user_ids)
    teams = list(Team.objects.filter(members__user_id__in=ids).distinct().order_by("pk"))
    now_by_team = teams_now(teams=teams, now=now) if teams else {}
    out: dict[int, Staffing] = {}
    for rows in now_by_team.values():
        for row in rows:
            uid = row.member.user_id
            if uid not in ids:
                continue
            seen = out.get(uid)
            out[uid] = Staffing(
                on_shift=row.on_shift or bool(seen and seen.on_shift),
                open_count=row.open_count,
                capacity=row.member.capacity,
            )
    missing = ids - set(out)
    if missing:
        load = dict(
            Conversation.objects.filter(assignee_id__in=missing, status__in=OPEN)
            .values("assignee_id")
            .annotate(n=Count("*"))
            .order_by()
            .values_list("assignee_id", "n")
        )
        for uid in missing:
            out[uid] = Staffing(on_shift=False, open_count=load.get(uid, 0))
    return out
