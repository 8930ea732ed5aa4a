"""The rota's rows come from one UNION compiled once per number of teams: the same
rows as the ORM's query, for any teams and dates."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from teams.models import Absence, ExtraShift, PublicHoliday, Shift, Team
from teams.services import rota as rota_service

pytestmark = pytest.mark.django_db


def test_the_compiled_union_reads_what_the_orm_reads(team, staff, django_assert_num_queries):
    other = Team.objects.create(name="Noches", time_zone="America/Mexico_City")
    other.members.add(staff["car"])
    Shift.objects.create(team=other, member=staff["car"], weekday=2, starts=time(22), ends=time(6))
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    ExtraShift.objects.create(team=team, member=staff["ana"], starts_at=now, ends_at=now + timedelta(hours=4))
    ExtraShift.objects.create(team=other, member=staff["car"], starts_at=now - timedelta(days=9), ends_at=now)
    Absence.objects.create(member=staff["bea"], kind="sick", first_day=date(2026, 11, 24), last_day=date(2026, 11, 26))
    PublicHoliday.objects.create(team=team, date=date(2026, 12, 8), name="Inmaculada")
    for team_ids in ([team.pk], [team.pk, other.pk], [other.pk, team.pk], [other.pk]):
        for since in (now, now - timedelta(days=3), now + timedelta(days=2)):
            expected = sorted(rota_service._union(team_ids, since), key=repr)
            with django_assert_num_queries(1):
                found = sorted(map(tuple, rota_service._union_rows(team_ids, since)), key=repr)
            assert found == expected
    assert {ids for _alias, ids in rota_service._COMPILED} >= {1, 2}


def test_a_rota_week_is_kept_until_what_it_shows_changes(team, staff, django_assert_num_queries):
    from teams.selectors import rota_week

    now = datetime(2026, 11, 25, 10, 5, tzinfo=UTC)
    monday = date(2026, 11, 23)
    first = rota_week(team=team, monday=monday, now=now)
    with django_assert_num_queries(0):
        again = rota_week(team=team, monday=monday, now=now + timedelta(minutes=10))
    assert again.rows == first.rows and again.coverage_by_channel == first.coverage_by_channel

    staff["ana"].user.first_name = "Anabel"
    staff["ana"].user.save()
    assert "Anabel" in repr(rota_week(team=team, monday=monday, now=now).rows)
    extra = ExtraShift.objects.create(
        team=team, member=staff["bea"], starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2)
    )
    assert [x.pk for x in rota_week(team=team, monday=monday, now=now).extras] == [extra.pk]
    # Over by the next visit (same half hour, so the same week kept): off the list.
    assert rota_week(team=team, monday=monday, now=now + timedelta(hours=3)).extras == []
    Shift.objects.filter(member=staff["car"]).first().delete()
    assert rota_week(team=team, monday=monday, now=now).rows != first.rows
