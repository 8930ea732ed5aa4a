"""Team and rota pages: supervisors and the Community Manager edit; every role reads."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels.models import Channel
from core import roles
from core.pages import role_required
from teams import forms
from teams.models import WEEKDAYS, Absence, ExtraShift, Member, PublicHoliday, Shift, Team
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
    can_assign = roles.can_assign(request.user)
    teams = [(team, _member_rows(now_by_team[team.pk], can_assign)) for team in teams]
    return render(request, "teams/list.html", {"teams": teams, "now": now})


def _member_rows(rows, can_assign: bool) -> SafeString:
    """The ``<tr>`` of each member of a team, built here like the rota's grid."""
    away = format_html('<span class="badge badge--waiting">{}</span>', _("Away"))
    off = format_html('<span class="muted">{}</span>', _("Off shift"))
    on = format_html('<span class="badge badge--resolved">{}</span>', _("On shift"))
    head, tail = reverse("teams:member-edit", args=[0]).rsplit("/0/", 1)
    out = []
    for row in rows:
        member = row.member
        name = format_html('<a href="{}/{}/{}">{}</a>', head, member.pk, tail, member) if can_assign else escape(member)
        if member.away:
            now = away
        elif row.on_shift:
            until = _("until %(time)s") % {"time": time_filter(timezone.localtime(row.shift_ends_at), "H:i")}
            now = format_html('{} <span class="muted">{}</span>', on, until)
        else:
            now = off
        out.append(
            format_html(
                '<tr data-testid="member-{}">\n        <td>{}</td>\n        <td>{}</td>\n'
                "        <td>{}</td><td>{}</td><td>{}</td>\n      </tr>",
                member.user.username,
                name,
                now,
                row.open_count,
                member.capacity,
                ", ".join(member.languages or ()) or "—",
            )
        )
    return mark_safe("\n".join(out))  # noqa: S308 (every part escaped above)


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
    can_manage = roles.can_manage_rota(request.user)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    team = get_object_or_404(Team, pk=pk)
    monday = _monday(request, team)
    bound = request.method == "POST"
    kind = request.POST.get("row") if bound else None
    row_forms = {}
    if bound:
        row_forms = {name: _row_form(name, request.POST if kind == name else None, team) for name in ROWS}
        if kind in row_forms and row_forms[kind].is_valid():
            row = row_forms[kind].save(commit=False)
            if kind == "holiday":
                row.team = team
            row.save()
            flash.success(request, _("Rota updated."))
            return redirect(f"{request.path}?week={monday:%Y-%m-%d}")
    week = rota_week(team=team, monday=monday, now=timezone.now())
    if bound:
        fields = {name: _fields(form) for name, form in row_forms.items()}
    elif can_manage:
        # The member lists of the forms, from the members the week already read.
        choices = (("", "---------"), *((m.pk, str(m)) for m in week.members))
        fields = {name: _blank_fields(name, team, choices) for name in ROWS}
    else:
        fields = {}
    return render(
        request,
        "teams/rota.html",
        {
            "team": team,
            "week": week,
            "grid": _grid(week.rows),
            "fields": fields,
            "lists": _row_lists(team, week, can_manage),
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "can_manage_rota": can_manage,
        },
    )


def _row_form(name: str, data, team: Team):
    form_class, _model = ROWS[name]
    return form_class(data) if name == "holiday" else form_class(data, team=team)


def _fields(form) -> str:
    return render_to_string("teams/_row_fields.html", {"form": form})


# An empty form's fields depend only on its kind, the language and the member
# choices: their markup (a few KB) is kept per process, as building the forms and
# rendering their widgets costs about as much as the rest of the page.
_BLANK_FIELDS: dict[tuple, str] = {}


def _blank_fields(name: str, team: Team, choices: tuple) -> str:
    key = (name, get_language(), choices if name != "holiday" else ())
    html = _BLANK_FIELDS.get(key)
    if html is None:
        form = _row_form(name, None, team)
        if "member" in form.fields:
            form.fields["member"].choices = choices
        if len(_BLANK_FIELDS) >= 256:
            _BLANK_FIELDS.clear()
        html = _BLANK_FIELDS[key] = _fields(form)
    return html


# The rota page's repeated markup is built here, escaped by ``format_html``, rather
# than in nested template loops: 168 cells and every row of the lists cost a template
# node each otherwise, most of the page's time (as Django's admin builds its rows).


def _grid(rows) -> SafeString:
    """The body of the week's grid: one row per hour, one cell per day naming who covers it."""
    nobody = format_html('<td class="rota__gap" data-testid="gap">{}</td>', _("nobody"))
    cells: dict[tuple, str] = {}  # the same people fill many cells: each cell's markup once
    out = []
    for hour, days in rows:
        html = []
        for members in days:
            key = tuple(members)
            if key not in cells:
                who = format_html_join("", '<span class="rota__who" title="{}">{}</span>', members)
                cells[key] = format_html('<td class="rota__on">{}</td>', who) if members else nobody
            html.append(cells[key])
        out.append(f"<tr><th>{hour:02d}:00</th>{''.join(html)}</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 (every part escaped above)


def _row_lists(team: Team, week, can_manage: bool) -> dict[str, SafeString]:
    """kind → the ``<li>`` of each of the rota's rows, with its remove button (a
    ``formaction`` to the row's delete address, in one form per list) for editors."""
    weekdays = dict(WEEKDAYS)
    kinds = dict(Absence.Kind.choices)
    names = {m.pk: str(m) for m in week.members}

    def who(row) -> str:
        return names.get(row.member_id) or str(row.member)

    texts = {
        "shift": (
            week.shifts,
            lambda s: f"{who(s)} · {weekdays[s.weekday]} {s.starts:%H:%M}–{s.ends:%H:%M}",
        ),
        "absence": (
            week.absences,
            lambda a: f"{who(a)} · {kinds[a.kind]} {date_filter(a.first_day, 'j M')}–{date_filter(a.last_day, 'j M')}",
        ),
        "extra": (
            week.extras,
            lambda x: (
                f"{who(x)} · {date_filter(timezone.localtime(x.starts_at), 'D j M H:i')}"
                f"–{date_filter(timezone.localtime(x.ends_at), 'H:i')}"
            ),
        ),
        "holiday": (week.holidays, lambda h: f"{date_filter(h.date, 'D j M Y')} {h.name}"),
    }
    remove = escape(_("Remove"))
    out = {}
    for kind, (rows, text) in texts.items():
        items = [(escape(text(row)), row.pk) for row in rows]
        if can_manage:
            # One ``reverse`` per kind rather than one per row.
            head, tail = (
                escape(part) for part in reverse("teams:row-delete", args=[team.pk, kind, 0]).rsplit("/0/", 1)
            )
            html = "\n".join(
                f'<li>{text} <button class="link" formaction="{head}/{pk}/{tail}" aria-label="{remove}">✕</button></li>'
                for text, pk in items
            )
        else:
            html = "\n".join(f"<li>{text}</li>" for text, _pk in items)
        out[kind] = mark_safe(html)  # noqa: S308 (every part escaped above)
    return out


@require_POST
@can_edit
def row_delete(request, pk: int, kind: str, row: int):
    team = get_object_or_404(Team, pk=pk)
    _form, model = ROWS[kind]
    scope = {"member__teams": team} if model is Absence else {"team": team}
    get_object_or_404(model, pk=row, **scope).delete()
    flash.success(request, _("Rota updated."))
    return redirect(f"{reverse('teams:rota', args=[team.pk])}?week={request.POST.get('week', '')}")
