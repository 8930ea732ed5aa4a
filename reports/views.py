"""The weekly report page, its CSV downloads, and the e-mail choice on the Security page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels.models import Channel
from core import roles
from core.pages import role_required
from reports import presenting
from reports.selectors import report_build, scope_for
from reports.services import email_choice_set, email_wanted
from reports.weeks import Period, Week
from teams.models import Team

DAYS = [
    "Mon",
    "Tue",
    "Wed",
    "Thu",
    "Fri",
    "Sat",
    "Sun",
]


class BadPeriod(ValueError):
    pass


def period_from(params) -> Period:
    """``week`` (default: the last complete week) and optionally ``to`` (a later week): the period asked for."""
    try:
        first = Week.parse(params["week"]) if params.get("week") else Week.last_complete(timezone.now())
        last = Week.parse(params["to"]) if params.get("to") else first
        period = Period(first, last)
    except ValueError as exc:
        raise BadPeriod(str(exc)) from exc
    if period.weeks > 26:
        raise BadPeriod("At most 26 weeks at once.")
    return period


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def report_for(request: HttpRequest) -> tuple[Period, dict[str, Any], dict[str, Any]]:
    try:
        period = period_from(request.GET)
    except BadPeriod as exc:
        raise BadRequest(str(exc)) from exc
    filters = {"team": _int(request.GET.get("team")), "channel": _int(request.GET.get("channel"))}
    scope = scope_for(user=request.user, team_id=filters["team"], channel_id=filters["channel"])
    return period, report_build(period=period, scope=scope), filters


def _query(period: Period, filters: dict, **override) -> str:
    params = {"week": period.first.label}
    if period.weeks > 1:
        params["to"] = period.last.label
    params.update({k: v for k, v in filters.items() if v})
    params.update({k: v for k, v in override.items() if v is not None})
    return urlencode({k: v for k, v in params.items() if v})


def _bars(rows: list[dict], value_key: str = "compliance") -> list[dict]:
    return [{**row, "width": round((row[value_key] or 0) * 100)} for row in rows]


def page_context(report: dict, period: Period) -> dict[str, Any]:
    """What the page and the e-mail draw: the heatmap levels, bar widths, the summary."""
    grid = report["volume_by_hour"]
    peak = max((max(day) for day in grid), default=0) or 1
    heat = [
        {"day": _(DAYS[d]), "cells": [{"hour": h, "count": n, "level": round(5 * n / peak)} for h, n in enumerate(row)]}
        for d, row in enumerate(grid)
    ]
    distribution = report["first_response_distribution"]
    most = max((b["count"] for b in distribution), default=0) or 1
    trend = report["trend"]
    busiest = max((w["conversations"] for w in trend), default=0) or 1
    return {
        "report": report,
        "period": period,
        "last_day": period.days()[-1],
        "summary": presenting.summary(report),
        "heat": heat,
        "hours": range(24),
        "distribution": [{**b, "width": round(100 * b["count"] / most)} for b in distribution],
        "sla_channels": _bars(report["sla"]["by_channel"]),
        "sla_categories": _bars(report["sla"]["by_category"]),
        "sla_gestores": _bars(report["sla"]["by_assignee"]),
        "trend": [
            {
                **w,
                "rate_width": round((w["response_rate"] or 0) * 100),
                "volume_width": round(100 * w["conversations"] / busiest),
            }
            for w in trend
        ],
    }


@role_required(roles.can_view_inbox)
def weekly(request: HttpRequest) -> HttpResponse:
    period, report, filters = report_for(request)
    visible = roles.has_any_role(request.user, {roles.Role.OWNER, roles.Role.COMMUNITY_MANAGER, roles.Role.SUPERVISOR})
    teams = Team.objects.order_by("name").only("pk", "name")
    channels = Channel.objects.order_by("name").only("pk", "name")  # not the credentials
    if not visible:
        user_id: int = request.user.pk or 0
        teams = teams.filter(members__user_id=user_id).distinct()
        channels = channels.filter(teams__members__user_id=user_id).distinct()
    context = page_context(report, period)
    context.update(
        {
            "filters": filters,
            "teams": teams,
            "channels": channels,
            "tables": presenting.TABLES,
            "query": _query(period, filters),
            "previous_query": _query(
                period,
                filters,
                week=period.first.shift(-period.weeks).label,
                to=period.first.shift(-1).label if period.weeks > 1 else None,
            ),
            "next_query": _query(
                period,
                filters,
                week=period.first.shift(period.weeks).label,
                to=period.last.shift(period.weeks).label if period.weeks > 1 else None,
            ),
            "own_row_only": not visible,
        }
    )
    return render(request, "reports/weekly.html", context)


@role_required(roles.can_view_inbox)
def weekly_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in presenting.TABLES:
        raise Http404
    period, report, _filters = report_for(request)
    response = HttpResponse(presenting.csv_text(report, [table]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mostrador-{period.label}-{table}.csv"'
    return response


def email_choice_section(request: HttpRequest) -> str:
    """The "Weekly report by e-mail" switch on the Security page (people with a role)."""
    if not roles.can_view_inbox(request.user):
        return ""
    return render_to_string("reports/_email_choice.html", {"wanted": email_wanted(user=request.user)}, request=request)


@require_POST
@login_required
def email_choice(request: HttpRequest) -> HttpResponse:
    if not roles.can_view_inbox(request.user):
        raise PermissionDenied
    email_choice_set(user=request.user, wants=request.POST.get("wants") == "1", language=request.LANGUAGE_CODE)
    return redirect("accounts:security")


@role_required(roles.can_assign)
def supervision_page(request: HttpRequest) -> HttpResponse:
    """What waits per team and channel, and each gestor's load and pace today
    (supervisors and the CM); every figure links to the inbox listing exactly it."""
    from django.utils import timezone

    from reports.supervision import supervision

    return render(request, "reports/supervision.html", {"s": supervision(now=timezone.now())})
