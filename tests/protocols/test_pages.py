"""Protocol pages: the CM edits rules, deadlines, calendars, escalation; others read; the inbox shows deadlines."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Alert
from protocols.models import BusinessCalendar, Category, Rule, SlaPolicy
from tests.protocols.helpers import deliver
from tests.protocols.helpers import sweep as sla_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, default_protocol):
    def login(user):
        client.force_login(user)
        return client

    return login


def _rule_post(**overrides):
    data = {
        "name": "Alérgenos",
        "position": "5",
        "active": "on",
        "keywords": "gluten\nalérgeno\nceliaco",
        "pattern": "",
        "channel": "",
        "visibility": "any",
        "author_list": "",
        "sentiment_below": "",
        "category": str(Category.objects.get(slug="consulta").pk),
        "priority": "3",
        "tags_text": "alergias, salud",
        "requires_reply": "unknown",
    }
    return data | overrides


def test_everyone_with_a_role_reads_the_protocol_but_only_the_cm_edits(as_user, gestor, owner, outsider):
    for user in (gestor, owner):
        client = as_user(user)
        assert client.get(reverse("protocols:rules")).status_code == 200
        assert client.get(reverse("protocols:slas")).status_code == 200
        assert client.get(reverse("protocols:rule-create")).status_code == 403
        assert client.post(reverse("protocols:rule-create"), _rule_post()).status_code == 403
        assert client.get(reverse("protocols:sla-edit", args=[SlaPolicy.objects.first().pk])).status_code == 403
    assert as_user(outsider).get(reverse("protocols:rules")).status_code == 403
    assert not Rule.objects.filter(name="Alérgenos").exists()


def test_the_cm_adds_a_rule_and_the_next_message_follows_it(as_user, cm, web_channel):
    client = as_user(cm)
    response = client.post(reverse("protocols:rule-create"), _rule_post())
    assert response.status_code == 302
    rule = Rule.objects.get(name="Alérgenos")
    assert rule.tags == ["alergias", "salud"]
    assert rule.updated_by == cm

    conversation = deliver(web_channel, "¿La tarta lleva GLUTEN? Soy celíaca")
    assert conversation.matched_rule == rule
    assert conversation.priority == 3
    page = client.get(reverse("inbox:detail", args=[conversation.pk])).content.decode()
    assert "Alérgenos" in page and "gluten" in page


def test_a_bad_regex_or_an_empty_rule_is_refused(as_user, cm):
    client = as_user(cm)
    response = client.post(reverse("protocols:rule-create"), _rule_post(keywords="", pattern="(abc"))
    assert response.status_code == 200
    assert "regular expression" in response.content.decode() or "expresión regular" in response.content.decode()
    response = client.post(reverse("protocols:rule-create"), _rule_post(keywords="", category=""))
    assert response.status_code == 200
    assert not Rule.objects.filter(name="Alérgenos").exists()


def test_a_pattern_re2_cannot_run_is_refused_with_the_reason(as_user, cm):
    client = as_user(cm)
    for pattern in (r"(a)\1", r"pedido(?=\d)"):
        response = client.post(reverse("protocols:rule-create"), _rule_post(pattern=pattern))
        assert response.status_code == 200
        html = response.content.decode()
        assert "RE2" in html and ("palabras clave" in html or "keywords" in html)
        trial = client.post(reverse("protocols:rule-try"), _rule_post(pattern=pattern, text="aa"))
        assert "RE2" in trial.content.decode()
    assert not Rule.objects.filter(name="Alérgenos").exists()


def test_trying_a_rule_shows_the_match_and_the_30_day_count(as_user, cm, web_channel):
    deliver(web_channel, "¿Tenéis pan sin gluten?")
    deliver(web_channel, "Hola")
    client = as_user(cm)
    response = client.post(reverse("protocols:rule-try"), _rule_post(text="Pan sin gluten, por favor"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "«gluten»" in html
    assert "<strong>1</strong>" in html


def test_the_cm_edits_a_deadline_and_the_next_message_gets_it(as_user, cm, web_channel):
    policy = SlaPolicy.objects.get(category__slug="queja")
    client = as_user(cm)
    response = client.post(
        reverse("protocols:sla-edit", args=[policy.pk]),
        {
            "name": "Queja",
            "category": policy.category_id,
            "channel": "",
            "calendar": policy.calendar_id,
            "first_response_minutes": "20",
            "next_response_minutes": "60",
            "resolution_minutes": "",
            "at_risk_percent": "50",
            "active": "on",
        },
    )
    assert response.status_code == 302
    at = timezone.now()
    conversation = deliver(web_channel, "Quiero poner una queja", at=at)
    assert conversation.first_response_due_at == at + timedelta(minutes=20)
    assert conversation.sla_warn_at == at + timedelta(minutes=10)


def test_a_second_active_policy_for_the_same_scope_is_refused(as_user, cm):
    policy = SlaPolicy.objects.get(category__slug="queja")
    response = as_user(cm).post(
        reverse("protocols:sla-create"),
        {
            "name": "Otra",
            "category": policy.category_id,
            "calendar": policy.calendar_id,
            "first_response_minutes": "5",
            "at_risk_percent": "75",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert SlaPolicy.objects.filter(category=policy.category).count() == 1


def test_the_cm_edits_a_calendar_with_hours_and_holidays(as_user, cm):
    calendar = BusinessCalendar.objects.get(always_open=False)
    data = {
        "name": "Tienda",
        "time_zone": "Europe/Madrid",
        "day_0": "08:00-15:00",
        "day_5": "10:00-14:00, 17:00-20:00",
        "holidays_text": "2026-12-24 Nochebuena\n2026-12-31 Nochevieja",
    }
    response = as_user(cm).post(reverse("protocols:calendar-edit", args=[calendar.pk]), data)
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.hours == {"0": [["08:00", "15:00"]], "5": [["10:00", "14:00"], ["17:00", "20:00"]]}
    assert [h.name for h in calendar.holidays.all()] == ["Nochebuena", "Nochevieja"]

    bad = as_user(cm).post(reverse("protocols:calendar-edit", args=[calendar.pk]), data | {"day_1": "18:00-09:00"})
    assert bad.status_code == 200
    calendar.refresh_from_db()
    assert "1" not in calendar.hours


def test_the_inbox_shows_deadlines_and_the_late_ones(as_user, gestor, supervisor, web_channel):
    late = deliver(web_channel, "Una queja", at=timezone.now() - timedelta(hours=2))
    deliver(web_channel, "Otra queja")
    sla_sweep()
    client = as_user(supervisor)
    html = client.get(reverse("inbox:list") + "?scope=late").content.decode()
    assert html.count('data-testid="sla"') == 1
    assert "sla--breached" in html
    assert f"/conversations/{late.pk}/" in html
    # The supervisors were warned; the alert is in their bell and on the alerts page.
    assert Alert.objects.filter(recipient=supervisor, kind="breached").exists()
    page = client.get(reverse("alerts:list")).content.decode()
    assert f"/conversations/{late.pk}/" in page
    assert 'data-testid="unread-alerts"' in page
    client.post(reverse("alerts:read"))
    assert not Alert.objects.filter(recipient=supervisor, read_at__isnull=True).exists()
