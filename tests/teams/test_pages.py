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
