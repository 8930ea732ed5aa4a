"""Team and rota pages: supervisors and the Community Manager edit; every role reads."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels.models import Channel
from core import roles
from core.pages import role_required
from teams import forms
from teams.models import Absence, ExtraShift, Member, PublicHoliday, Shift, Team
from teams.selectors import rota_week, teams_now

can_read = role_required(roles.can_view_inbox)
can_edit = role_required(roles.can_manage_rota)

# The rota's editable rows: form, model, name in the page.
ROWS = {
    "shift": (forms.ShiftForm, Shift),
    "extra": (forms.ExtraShiftForm, ExtraShift),
    "absence": (forms.AbsenceForm, Absence),
    "holiday": (forms.PublicHolidayForm, PublicHoliday),
}


@can_read
def team_list(request):
    now = timezone.now()
    # Channel names only: their credentials are not decrypted to be shown.
    teams = list(Team.objects.prefetch_related(Prefetch("channels", queryset=Channel.objects.only("pk", "name"))))
    now_by_team = teams_now(teams=teams, now=now)
    teams = [(team, now_by_team[team.pk]) for team in teams]
    return render(request, "teams/list.html", {"teams": teams, "now": now})


@can_edit
def team_edit(request, pk: int | None = None):
    team = get_object_or_404(Team, pk=pk) if pk else Team()
    form = forms.TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        team = form.save()
        flash.success(request, _("Team saved."))
        return redirect("teams:rota", pk=team.pk)
    return render(request, "teams/edit.html", {"form": form, "title": _("Team")})


@can_edit
def member_edit(request, pk: int):
    member = get_object_or_404(Member.objects.select_related("user"), pk=pk)
    form = forms.MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, _("Saved."))
        return redirect("teams:list")
    return render(request, "teams/edit.html", {"form": form, "title": str(member)})


def _monday(request, team: Team) -> date:
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localtime(timezone=ZoneInfo(team.time_zone)).date()
    return day - timedelta(days=day.weekday())


@can_read
def rota(request, pk: int):
    if request.method == "POST" and not roles.can_manage_rota(request.user):
        raise PermissionDenied
    team = get_object_or_404(Team, pk=pk)
    monday = _monday(request, team)
    bound = request.method == "POST"
    kind = request.POST.get("row") if bound else None
    row_forms = {}
    for name, (form_class, _model) in ROWS.items():
        data = request.POST if kind == name else None
        row_forms[name] = form_class(data) if name == "holiday" else form_class(data, team=team)
    if bound and kind in row_forms and row_forms[kind].is_valid():
        row = row_forms[kind].save(commit=False)
        if kind == "holiday":
            row.team = team
        row.save()
        flash.success(request, _("Rota updated."))
        return redirect(f"{request.path}?week={monday:%Y-%m-%d}")
    week = rota_week(team=team, monday=monday, now=timezone.now())
    if not bound:
        # The member lists of the forms, from the members the week already read.
        choices = [("", "---------"), *((m.pk, str(m)) for m in week.members)]
        for form in row_forms.values():
            if "member" in form.fields:
                form.fields["member"].choices = choices
    for kind, rows in (
        ("shift", week.shifts),
        ("extra", week.extras),
        ("absence", week.absences),
        ("holiday", week.holidays),
    ):
        _with_delete_urls(team, kind, rows)
    return render(
        request,
        "teams/rota.html",
        {
            "team": team,
            "week": week,
            "forms": row_forms,
            "shifts": week.shifts,
            "extras": week.extras,
            "absences": week.absences,
            "holidays": week.holidays,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "can_manage_rota": roles.can_manage_rota(request.user),
        },
    )


def _with_delete_urls(team: Team, kind: str, rows) -> None:
    """Each row's delete address, from one ``reverse`` per kind rather than one per row."""
    head, tail = reverse("teams:row-delete", args=[team.pk, kind, 0]).rsplit("/0/", 1)
    for row in rows:
        row.delete_url = f"{head}/{row.pk}/{tail}"


@require_POST
@can_edit
def row_delete(request, pk: int, kind: str, row: int):
    team = get_object_or_404(Team, pk=pk)
    _form, model = ROWS[kind]
    scope = {"member__teams": team} if model is Absence else {"team": team}
    get_object_or_404(model, pk=row, **scope).delete()
    flash.success(request, _("Rota updated."))
    return redirect(f"{reverse('teams:rota', args=[team.pk])}?week={request.POST.get('week', '')}")
