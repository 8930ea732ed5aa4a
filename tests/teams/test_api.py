"""Teams over the API: rota rows, who is on shift now with their load, assignment history."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from teams.models import Shift
from teams.services.assignment import conversations_assign
from tests.factories import ConversationFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_gestores_read_supervisors_write_shifts(team, staff, gestor, supervisor):
    payload = {"team": team.pk, "member": staff["ana"].pk, "weekday": 6, "starts": "20:00", "ends": "02:00"}
    assert api(gestor).get(f"/api/v1/shifts/?team={team.pk}").json()["count"] == 21
    assert api(gestor).post("/api/v1/shifts/", payload, format="json").status_code == 403
    assert api(supervisor).post("/api/v1/shifts/", payload, format="json").status_code == 201
    bad = payload | {"ends": "20:00"}
    assert api(supervisor).post("/api/v1/shifts/", bad, format="json").status_code == 400
    assert Shift.objects.count() == 22


def test_on_shift_now_lists_every_member_with_load(team, staff, gestor):
    rows = api(gestor).get(f"/api/v1/teams/{team.pk}/on-shift/").json()
    assert {row["member"]["username"] for row in rows} == {"ana", "bea", "car"}
    assert sum(row["on_shift"] for row in rows) == 1
    assert all(row["open_count"] == 0 for row in rows)


def test_assignment_history(team, staff, web_channel, gestor):
    conversation = ConversationFactory(channel=web_channel)
    InboundMessageFactory(conversation=conversation)
    conversations_assign(
        conversation_ids=[conversation.pk], now=datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Europe/Madrid"))
    )
    history = api(gestor).get(f"/api/v1/conversations/{conversation.pk}/assignments/").json()
    assert [(h["kind"], h["data"]["reason"], h["data"]["assignee_id"]) for h in history] == [
        ("assigned", "auto", staff["ana"].user_id)
    ]


def test_members_capacity_is_edited_by_supervisors(staff, gestor, supervisor):
    url = f"/api/v1/members/{staff['ana'].pk}/"
    assert api(gestor).patch(url, {"capacity": 3}, format="json").status_code == 403
    assert api(supervisor).patch(url, {"capacity": 3, "languages": ["ES", "ca"]}, format="json").json()[
        "languages"
    ] == ["es", "ca"]
