"""The protocol over the API: the CM writes, others read; trying a rule; alerts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Alert
from protocols.models import Rule
from tests.protocols.helpers import deliver
from tests.protocols.helpers import sweep as sla_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(default_protocol):
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def test_every_role_reads_rules_in_order(api, gestor):
    response = api(gestor).get("/api/v1/protocol/rules/")
    assert response.status_code == 200
    positions = [rule["position"] for rule in response.json()["results"]]
    assert positions == sorted(positions) and positions


def test_only_the_cm_writes(api, gestor, supervisor, cm):
    payload = {"name": "VIP", "keywords": "reserva de grupo", "priority": 3, "tags": ["grupos"]}
    for user in (gestor, supervisor):
        assert api(user).post("/api/v1/protocol/rules/", payload, format="json").status_code == 403
    response = api(cm).post("/api/v1/protocol/rules/", payload, format="json")
    assert response.status_code == 201, response.json()
    rule = Rule.objects.get(pk=response.json()["id"])
    assert rule.updated_by == cm and rule.tags == ["grupos"]
    assert api(cm).patch(f"/api/v1/protocol/rules/{rule.pk}/", {"pattern": "(x"}, format="json").status_code == 400


def test_the_api_refuses_a_pattern_re2_cannot_run(api, cm):
    payload = {"name": "Mal", "pattern": r"(?<!no )funciona", "priority": 3}
    response = api(cm).post("/api/v1/protocol/rules/", payload, format="json")
    assert response.status_code == 400
    assert "RE2" in response.json()["pattern"][0]
    response = api(cm).post("/api/v1/protocol/rules/try/", {"pattern": r"(a)\1", "text": "aa"}, format="json")
    assert response.status_code == 400
    assert "RE2" in response.json()["pattern"][0]
    assert not Rule.objects.filter(name="Mal").exists()


def test_trying_a_rule_over_the_api(api, cm, web_channel):
    deliver(web_channel, "Tengo una queja")
    response = api(cm).post("/api/v1/protocol/rules/try/", {"keywords": "queja", "text": "QUEJA"}, format="json")
    assert response.json() | {"examples": []} == {
        "sample_matches": True,
        "reason": "«queja»",
        "matched": 1,
        "examined": 1,
        "examples": [],
    }


def test_calendars_validate_their_hours(api, cm):
    bad = {"name": "Mal", "time_zone": "Europe/Madrid", "hours": {"0": [["18:00", "09:00"]]}}
    assert api(cm).post("/api/v1/protocol/calendars/", bad, format="json").status_code == 400
    good = bad | {"hours": {"0": [["09:00", "18:00"]]}, "holidays": [{"date": "2026-12-24", "name": "Nochebuena"}]}
    response = api(cm).post("/api/v1/protocol/calendars/", good, format="json")
    assert response.status_code == 201
    assert response.json()["holidays"] == [{"date": "2026-12-24", "name": "Nochebuena"}]


def test_conversations_carry_their_deadline_and_alerts_are_listed(api, supervisor, web_channel):
    conversation = deliver(web_channel, "queja", at=timezone.now() - timedelta(hours=3))
    sla_sweep()
    body = api(supervisor).get(f"/api/v1/conversations/{conversation.pk}/").json()
    assert body["sla_state"] == "breached"
    assert body["match_reason"].startswith("Quejas")
    alerts = api(supervisor).get("/api/v1/alerts/").json()["results"]
    assert [a["conversation"] for a in alerts if a["kind"] == "breached"] == [conversation.pk]
    assert api(supervisor).post("/api/v1/alerts/read/").json()["marked"] >= 1
    assert not Alert.objects.filter(recipient=supervisor, read_at__isnull=True).exists()
