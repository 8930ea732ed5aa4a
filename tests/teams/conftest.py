from datetime import time

import pytest

from teams.models import Member, Shift, Team
from tests.factories import UserFactory


@pytest.fixture
def team(db, web_channel):
    team = Team.objects.create(name="Atención", time_zone="Europe/Madrid")
    team.channels.add(web_channel)
    return team


@pytest.fixture
def staff(team):
    """Three gestores: Ana mornings, Bea evenings, Car nights, every day."""

    def make(username, first_name, starts, ends, capacity=5):
        user = UserFactory(username=username, first_name=first_name, role="gestor")
        member = Member.objects.create(user=user, capacity=capacity)
        team.members.add(member)
        Shift.objects.bulk_create(
            Shift(team=team, member=member, weekday=day, starts=starts, ends=ends) for day in range(7)
        )
        return member

    return {
        "ana": make("ana", "Ana", time(7), time(15)),
        "bea": make("bea", "Bea", time(15), time(23)),
        "car": make("car", "Car", time(23), time(7)),
    }
