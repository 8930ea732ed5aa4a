"""Team and rota pages: supervisors build the week, everyone reads it, gaps show."""

import pytest
from django.urls import reverse

from teams.models import Absence, Shift

pytestmark = pytest.mark.django_db


def test_everyone_reads_the_rota_only_supervisors_and_the_cm_edit(client, team, staff, gestor, owner, supervisor):
    for user in (gestor, owner):
        client.force_login(user)
        assert client.get(reverse("teams:list")).status_code == 200
        assert client.get(reverse("teams:rota", args=[team.pk])).status_code == 200
        response = client.post(
            reverse("teams:rota", args=[team.pk]),
            {"row": "shift", "member": staff["ana"].pk, "weekday": 6, "starts": "23:00", "ends": "07:00"},
        )
        assert response.status_code == 403  # refused, nothing saved
        assert client.get(reverse("teams:create")).status_code == 403
    assert Shift.objects.count() == 21


def test_the_rota_shows_gaps_and_coverage_and_a_supervisor_fills_them(client, team, staff, supervisor):
    Shift.objects.filter(member=staff["car"], weekday=6).delete()  # Sunday night uncovered
    client.force_login(supervisor)
    url = reverse("teams:rota", args=[team.pk]) + "?week=2026-11-23"
    html = client.get(url).content.decode()
    assert html.count('data-testid="gap"') == 7 + 1  # Monday 00–07 and Sunday 23–24 of this week
    assert "95,2 %" in html  # (336 − 16) / 336 half hours
    assert 'data-testid="gap-warning"' in html

    response = client.post(
        url, {"row": "shift", "member": staff["car"].pk, "weekday": 6, "starts": "23:00", "ends": "07:00"}
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert html.count('data-testid="gap"') == 0
    assert "100,0 %" in html


def test_a_shift_of_24_hours_or_a_bad_absence_is_refused(client, team, staff, supervisor):
    client.force_login(supervisor)
    url = reverse("teams:rota", args=[team.pk])
    response = client.post(
        url, {"row": "shift", "member": staff["ana"].pk, "weekday": 1, "starts": "08:00", "ends": "08:00"}
    )
    assert response.status_code == 200 and Shift.objects.count() == 21
    response = client.post(
        url,
        {
            "row": "absence",
            "member": staff["ana"].pk,
            "kind": "sick",
            "first_day": "2026-12-03",
            "last_day": "2026-12-01",
        },
    )
    assert response.status_code == 200 and not Absence.objects.exists()
    client.post(
        url,
        {
            "row": "absence",
            "member": staff["ana"].pk,
            "kind": "sick",
            "first_day": "2026-12-01",
            "last_day": "2026-12-03",
        },
    )
    assert Absence.objects.get().kind == "sick"


def test_removing_a_shift(client, team, staff, supervisor):
    client.force_login(supervisor)
    shift = Shift.objects.filter(member=staff["ana"]).first()
    client.post(reverse("teams:row-delete", args=[team.pk, "shift", shift.pk]), {"week": "2026-11-23"})
    assert not Shift.objects.filter(pk=shift.pk).exists()


def test_the_team_page_shows_who_is_on_shift_and_their_load(client, team, staff, gestor):
    client.force_login(gestor)
    html = client.get(reverse("teams:list")).content.decode()
    for name in ("ana", "bea", "car"):
        assert f'data-testid="member-{name}"' in html
    assert html.count("badge--resolved") == 1  # exactly one of the three is on shift at any time


def test_each_row_has_a_remove_button_in_one_form_per_list_for_editors_only(client, team, staff, supervisor, gestor):
    url = reverse("teams:rota", args=[team.pk]) + "?week=2026-11-23"
    client.force_login(supervisor)
    html = client.get(url).content.decode()
    shifts = Shift.objects.filter(team=team)
    for shift in shifts:
        assert f'formaction="{reverse("teams:row-delete", args=[team.pk, "shift", shift.pk])}"' in html
    assert html.count('data-testid="rows-shift"') == 1  # one form (and one token) for the list
    lists = html.split('class="rota-lists"')[1]
    assert lists.count("csrfmiddlewaretoken") == 8  # four lists and four add forms
    # The button posts the list's form (its token and week) to the row's address.
    shift = shifts.first()
    response = client.post(reverse("teams:row-delete", args=[team.pk, "shift", shift.pk]), {"week": "2026-11-23"})
    assert response.status_code == 302 and response["Location"].endswith("?week=2026-11-23")
    assert f"/shift/{shift.pk}/delete/" not in client.get(url).content.decode()

    client.force_login(gestor)
    html = client.get(url).content.decode()
    assert "formaction" not in html and "csrfmiddlewaretoken" not in html.split('class="rota-lists"')[1]
    assert 'data-testid="rota-grid"' in html


def test_the_add_forms_follow_the_language_and_the_members(client, team, staff, supervisor):
    client.force_login(supervisor)
    url = reverse("teams:rota", args=[team.pk])

    def shift_form(language):
        client.cookies["django_language"] = language
        html = client.get(url).content.decode()
        return html.split('data-testid="form-shift"')[1].split("</form>")[0]

    assert "Monday" in shift_form("en") and "Lunes" not in shift_form("en")
    assert "Lunes" in shift_form("es") and "Monday" not in shift_form("es")
    staff["ana"].user.first_name = "Anabel"
    staff["ana"].user.save()
    assert "Anabel" in shift_form("es")


def test_the_team_page_marks_who_is_away_and_links_members_for_those_who_assign(
    client, team, staff, gestor, supervisor
):
    staff["bea"].away = True
    staff["bea"].languages = ["es", "en"]
    staff["bea"].save()
    client.force_login(supervisor)
    html = client.get(reverse("teams:list")).content.decode()
    row = html.split('data-testid="member-bea"')[1].split("</tr>")[0]
    assert 'class="badge badge--waiting"' in row and "es, en" in row
    assert f'href="{reverse("teams:member-edit", args=[staff["bea"].pk])}"' in row
    assert "—" in html.split('data-testid="member-ana"')[1].split("</tr>")[0]  # no languages
    client.force_login(gestor)
    html = client.get(reverse("teams:list")).content.decode()
    assert "/teams/members/" not in html and 'data-testid="member-bea"' in html
