"""Coverage of the coming week, and warning the Community Manager about gaps."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from core.alerts import alerts_create
from core.models import Alert
from core.roles import Role
from teams.models import Team
from teams.services.rota import team_coverage


def rota_gaps_warn(*, now: datetime | None = None) -> int:
    """Tell the Community Managers about uncovered hours in the next 7 days, once a day per team."""
    now = now or timezone.now()
    managers = list(get_user_model().objects.filter(is_active=True, groups__name=Role.COMMUNITY_MANAGER).distinct())
    sent = 0
    for team in Team.objects.all():
        since = now.replace(minute=now.minute - now.minute % 30, second=0, microsecond=0)
        gaps = team_coverage(team=team, start=since).gaps()
        if not gaps:
            continue
        zone = team.time_zone
        first_start, first_end = gaps[0]
        hours = sum((end - start).total_seconds() for start, end in gaps) / 3600
        text = _(
            "%(team)s: %(hours).1f h without anyone on shift in the next 7 days; the first from %(start)s to %(end)s."
        ) % {
            "team": team.name,
            "hours": hours,
            "start": timezone.localtime(first_start, timezone=_zone(zone)).strftime("%a %d %H:%M"),
            "end": timezone.localtime(first_end, timezone=_zone(zone)).strftime("%a %d %H:%M"),
        }
        for manager in managers:
            already = Alert.objects.filter(
                recipient=manager, kind=Alert.Kind.ROTA_GAP, created_at__date=now.date(), text__startswith=team.name
            ).exists()
            if not already:
                alerts_create(alerts=[Alert(recipient=manager, kind=Alert.Kind.ROTA_GAP, text=text[:300])])
                sent += 1
    return sent


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
