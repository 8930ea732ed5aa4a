"""Loading the rota from the database, and asking it who is on shift."""

from __future__ import annotations

from datetime import datetime, timedelta

from teams.models import Absence, ExtraShift, Member, PublicHoliday, Shift, Team
from teams.rota import Rota, WeeklyShift, coverage, on_shift


def rota_load(*, team: Team, start: datetime, end: datetime) -> Rota:
    """The team's rota with what matters between ``start`` and ``end``."""
    member_ids = list(team.members.values_list("pk", flat=True))
    absences: dict[int, list] = {}
    for absence in Absence.objects.filter(
        member_id__in=member_ids,
        last_day__gte=(start - timedelta(days=2)).date(),
        first_day__lte=(end + timedelta(days=2)).date(),
    ):
        absences.setdefault(absence.member_id, []).append((absence.first_day, absence.last_day))
    return Rota(
        time_zone=team.time_zone,
        shifts=tuple(
            WeeklyShift(s.member_id, s.weekday, s.starts, s.ends)
            for s in Shift.objects.filter(team=team, member_id__in=member_ids)
        ),
        absences={member: tuple(spans) for member, spans in absences.items()},
        extra=tuple(
            (x.member_id, x.starts_at, x.ends_at)
            for x in ExtraShift.objects.filter(
                team=team, ends_at__gt=start - timedelta(days=1), starts_at__lt=end + timedelta(days=1)
            )
        ),
        holidays=frozenset(PublicHoliday.objects.filter(team=team).values_list("date", flat=True)),
    )


def members_on_shift(*, team: Team, now: datetime) -> list[Member]:
    """Members of ``team`` on shift at ``now``, not away, with an active account; in id order."""
    ids = on_shift(rota_load(team=team, start=now, end=now), now)
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
