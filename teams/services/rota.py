"""Loading the rota from the database, and asking it who is on shift."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connections, router
from django.db.models import CharField, DateField, DateTimeField, IntegerField, TimeField, Value
from django.db.models.functions import Cast
from django.db.models.query import QuerySet

from teams.models import Absence, ExtraShift, Member, PublicHoliday, Shift, Team
from teams.rota import Rota, WeeklyShift, coverage, on_shift


def rota_load(*, team: Team, start: datetime, end: datetime) -> Rota:
    """The team's rota with what matters between ``start`` and ``end``."""
    return rotas_load(teams=[team], start=start, end=end)[team.pk]


def rotas_load(*, teams: Iterable[Team], start: datetime, end: datetime) -> dict[int, Rota]:
    """team id → its rota between ``start`` and ``end``, for any number of teams in one query."""
    teams = list(teams)
    return rotas_from_rows(teams=teams, rows=rota_rows(team_ids=[t.pk for t in teams], since=start))


@dataclass(frozen=True)
class RotaRows:
    """The rota tables' rows for some teams, read at once; the model instances
    carry their ids and foreign keys (not the related objects)."""

    members: dict[int, set[int]]  # team id → its members' ids
    shifts: list[Shift]
    extras: list[ExtraShift]
    absences: list[Absence]
    holidays: list[PublicHoliday]


# Typed NULLs: PostgreSQL takes an untyped NULL in a UNION's first parts for text.
_NONE = {
    "int": Cast(Value(None), output_field=IntegerField()),
    "time": Cast(Value(None), output_field=TimeField()),
    "moment": Cast(Value(None), output_field=DateTimeField()),
    "date": Cast(Value(None), output_field=DateField()),
    "text": Value("", output_field=CharField()),
}


def _kind(name: str) -> Value:
    return Value(name, output_field=CharField())


def _union(team_ids: list[int], since: datetime) -> QuerySet:
    n = _NONE
    membership = Team.members.through.objects.filter(team_id__in=team_ids)
    parts = [
        membership.values_list(
            _kind("member"), "id", "team_id", "member_id",
            n["int"], n["time"], n["time"], n["moment"], n["moment"], n["date"], n["date"], n["text"],
        ),
        Shift.objects.filter(team_id__in=team_ids).values_list(
            _kind("shift"), "id", "team_id", "member_id",
            "weekday", "starts", "ends", n["moment"], n["moment"], n["date"], n["date"], n["text"],
        ),
        ExtraShift.objects.filter(team_id__in=team_ids, ends_at__gt=since - timedelta(days=1)).values_list(
            _kind("extra"), "id", "team_id", "member_id",
            n["int"], n["time"], n["time"], "starts_at", "ends_at", n["date"], n["date"], n["text"],
        ),
        Absence.objects.filter(
            member_id__in=membership.values("member_id"), last_day__gte=(since - timedelta(days=2)).date()
        ).values_list(
            _kind("absence"), "id", n["int"], "member_id",
            n["int"], n["time"], n["time"], n["moment"], n["moment"], "first_day", "last_day", "kind",
        ),
        PublicHoliday.objects.filter(team_id__in=team_ids).values_list(
            _kind("holiday"), "id", "team_id", n["int"],
            n["int"], n["time"], n["time"], n["moment"], n["moment"], "date", n["date"], "name",
        ),
    ]  # fmt: skip
    first, *others = (part.order_by() for part in parts)
    return first.union(*others, all=True)


# Building and compiling that UNION costs several times what running it does (about
# 2.5 ms of CPU against 0.5, on every team and rota page): on PostgreSQL its SQL is
# compiled once per number of teams, with stand-in values, and each request puts the
# real team ids and dates in their places among the parameters.
_COMPILED: dict[tuple[str, int], tuple[str, tuple, dict[int, int | str]]] = {}
_STAND_IN_ID = 10**15  # + the team's index
_STAND_IN_SINCE = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def _union_rows(team_ids: list[int], since: datetime) -> Iterable[tuple]:
    connection = connections[router.db_for_read(Shift)]
    if connection.vendor != "postgresql":
        return _union(team_ids, since)
    ops = connection.ops
    key = (connection.alias, len(team_ids))
    if key not in _COMPILED:
        query = _union([_STAND_IN_ID + n for n in range(len(team_ids))], _STAND_IN_SINCE).query
        sql, params = query.get_compiler(connection=connection).as_sql()
        moment = ops.adapt_datetimefield_value(_STAND_IN_SINCE - timedelta(days=1))
        day = ops.adapt_datefield_value((_STAND_IN_SINCE - timedelta(days=2)).date())
        places: dict[int, int | str] = {}
        for index, param in enumerate(params):
            if type(param) is int and param >= _STAND_IN_ID:
                places[index] = param - _STAND_IN_ID
            elif param == moment and type(param) is type(moment):
                places[index] = "moment"
            elif param == day and type(param) is type(day):
                places[index] = "day"
        found = set(places.values())
        if found != {*range(len(team_ids)), "moment", "day"}:  # not as expected: compile each time
            return _union(team_ids, since)
        _COMPILED[key] = (sql, tuple(params), places)
    sql, stand_in, places = _COMPILED[key]
    values: dict[str, object] = {
        "moment": ops.adapt_datetimefield_value(since - timedelta(days=1)),
        "day": ops.adapt_datefield_value((since - timedelta(days=2)).date()),
    }
    params = list(stand_in)
    for index, place in places.items():
        params[index] = team_ids[place] if isinstance(place, int) else values[place]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rota_rows(*, team_ids: list[int], since: datetime) -> RotaRows:
    """Membership, weekly shifts, and the extra shifts, absences and holidays not over
    before ``since`` (less two days) of the teams ``team_ids``: one UNION ALL query,
    the same columns in every part — kind, id, team, member, weekday, starts, ends,
    starts at, ends at, first day, last day, label."""
    rows = RotaRows(members={}, shifts=[], extras=[], absences=[], holidays=[])
    for kind, pk, team_id, member_id, weekday, starts, ends, starts_at, ends_at, first_day, last_day, label in (
        _union_rows(team_ids, since) if team_ids else []
    ):
        if kind == "member":
            rows.members.setdefault(team_id, set()).add(member_id)
        elif kind == "shift":
            rows.shifts.append(
                Shift(id=pk, team_id=team_id, member_id=member_id, weekday=weekday, starts=starts, ends=ends)
            )
        elif kind == "extra":
            rows.extras.append(
                ExtraShift(id=pk, team_id=team_id, member_id=member_id, starts_at=starts_at, ends_at=ends_at)
            )
        elif kind == "absence":
            rows.absences.append(
                Absence(id=pk, member_id=member_id, kind=label, first_day=first_day, last_day=last_day)
            )
        else:
            rows.holidays.append(PublicHoliday(id=pk, team_id=team_id, date=first_day, name=label))
    # The order each list has on its own (the models' Meta ordering).
    rows.shifts.sort(key=lambda s: (s.weekday, s.starts, s.pk))
    rows.extras.sort(key=lambda x: (x.starts_at, x.pk))
    rows.absences.sort(key=lambda a: (a.first_day, a.pk))
    rows.holidays.sort(key=lambda h: (h.date, h.pk))
    return rows


def rotas_from_rows(*, teams: Iterable[Team], rows: RotaRows) -> dict[int, Rota]:
    out = {}
    for team in teams:
        members = rows.members.get(team.pk, set())
        absences: dict[int, list] = {}
        for absence in rows.absences:
            if absence.member_id in members:
                absences.setdefault(absence.member_id, []).append((absence.first_day, absence.last_day))
        out[team.pk] = Rota(
            time_zone=team.time_zone,
            shifts=tuple(
                WeeklyShift(s.member_id, s.weekday, s.starts, s.ends)
                for s in rows.shifts
                if s.team_id == team.pk and s.member_id in members
            ),
            absences={member: tuple(spans) for member, spans in absences.items()},
            extra=tuple((x.member_id, x.starts_at, x.ends_at) for x in rows.extras if x.team_id == team.pk),
            holidays=frozenset(h.date for h in rows.holidays if h.team_id == team.pk),
        )
    return out


def members_on_shift(*, team: Team, now: datetime, rota: Rota | None = None) -> list[Member]:
    """Members of ``team`` on shift at ``now``, not away, with an active account; in id order.
    ``rota``: the team's rota, when the caller has loaded it already."""
    ids = on_shift(rota or rota_load(team=team, start=now, end=now), now)
    return list(
        Member.objects.filter(pk__in=ids, away=False, user__is_active=True).select_related("user").order_by("pk")
    )


def team_coverage(*, team: Team, start: datetime, days: int = 7):
    end = start + timedelta(days=days)
    return coverage(rota_load(team=team, start=start, end=end), start, end)


def teams_for_channels() -> dict[int, Team]:
    """channel id → the team that attends it (the oldest, when several do)."""
    mapping: dict[int, Team] = {}
    for team in Team.objects.prefetch_related("channels").order_by("pk"):
        for channel in team.channels.all():
            mapping.setdefault(channel.pk, team)
    return mapping
