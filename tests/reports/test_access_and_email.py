"""Who sees what (page, API, CSV), the CSV content, and the weekly e-mail."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from reports.models import WeeklyReportSending
from reports.services import report_weekly_send
from reports.weeks import Week
from teams.models import Member, Team
from tests.factories import ChannelFactory
from tests.reports.helpers import received, replied

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
W47 = "2026-W47"


@pytest.fixture
def week_of_work(default_protocol, fake_channel, gestor, gestor2, time_machine):
    """Two channels, two teams; each gestor answers on their team's channel in W47."""
    other = ChannelFactory(kind="fake", name="Otra tienda", key="fake-other", credentials={"secret": "s"})
    for name, channel, person in (("Centro", fake_channel, gestor), ("Barrio", other, gestor2)):
        team = Team.objects.create(name=name)
        team.channels.add(channel)
        team.members.add(Member.objects.get_or_create(user=person)[0])
        conversation = received(channel, "¿Abrís el domingo?", datetime(2026, 11, 17, 10, tzinfo=MADRID))
        replied(conversation, person, datetime(2026, 11, 17, 10, 20, tzinfo=MADRID))
    time_machine.move_to(datetime(2026, 11, 25, 9, tzinfo=MADRID), tick=False)
    return {"centro": fake_channel, "barrio": other}


API_KEYS = {
    "week", "start", "end", "time_zone", "conversations", "needing_reply", "answered", "response_rate",
    "first_response_seconds", "sla", "unanswered", "volume_by_hour", "off_hours", "crises", "listening",
    "hidden", "ratings", "previous",
}  # fmt: skip


@pytest.mark.parametrize("persona", ["owner", "cm", "supervisor"])
def test_owner_cm_and_supervisors_see_everything(request, client, week_of_work, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(f"/reports/?week={W47}")
    assert page.status_code == 200
    assert "Otra tienda" in page.content.decode() and "Fake" in page.content.decode()
    assert 'data-testid="ratings"' in page.content.decode()
    ratings = client.get(f"/reports/csv/ratings/?week={W47}")
    assert ratings.status_code == 200 and ratings.content.decode().startswith("week,start,reviews,average_stars")
    data = client.get(f"/api/v1/reports/weekly/?week={W47}").json()
    assert set(data) >= API_KEYS
    assert set(data["first_response_seconds"]) == {"p50", "p90", "mean", "business_p50", "business_p90"}
    assert {"met", "breached", "compliance", "by_channel", "by_category", "by_assignee", "by_team"} <= set(data["sla"])
    assert {"count", "oldest_waiting_since"} <= set(data["unanswered"])
    assert len(data["volume_by_hour"]) == 7 and all(len(day) == 24 for day in data["volume_by_hour"])
    assert data["conversations"] == 2
    assert len(data["gestores"]) == 2


def test_a_gestor_sees_the_team_totals_and_only_their_own_row(client, week_of_work, gestor):
    client.force_login(gestor)
    data = client.get(f"/api/v1/reports/weekly/?week={W47}").json()
    assert data["conversations"] == 1
    assert [row["id"] for row in data["gestores"]] == [gestor.pk]
    assert [row["name"] for row in data["channels"]] == [week_of_work["centro"].name]
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/csv/gestores/?week={W47}").content.decode())))
    assert len(rows) == 2 and rows[1][0] == str(gestor.pk)
    assert client.get(f"/reports/?week={W47}").status_code == 200


def test_no_role_no_report(client, week_of_work, outsider):
    client.force_login(outsider)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/csv/channels/").status_code == 403
    assert client.get("/api/v1/reports/weekly/").status_code == 403
    client.logout()
    assert client.get("/reports/").status_code == 302
    assert client.get("/api/v1/reports/weekly/").status_code in (401, 403)


def test_csv_downloads(client, week_of_work, owner):
    client.force_login(owner)
    response = client.get(f"/reports/csv/channels/?week={W47}")
    assert response["Content-Type"].startswith("text/csv")
    assert f"mostrador-{W47}-channels.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(r["name"] for r in rows) == sorted(c.name for c in week_of_work.values())
    assert all(r["answered"] == "1" and r["response_rate"] == "1.0" and r["light"] == "green" for r in rows)
    volume = list(csv.reader(io.StringIO(client.get(f"/reports/csv/volume/?week={W47}").content.decode())))
    assert volume[0][:3] == ["day", "0", "1"] and volume[2][0] == "tuesday" and volume[2][1 + 10] == "2"
    assert client.get(f"/reports/csv/nonsense/?week={W47}").status_code == 404
    everything = client.get(f"/api/v1/reports/weekly/?week={W47}&format=csv").content.decode()
    assert "# channels" in everything and "# gestores" in everything and "# volume" in everything


def test_bad_weeks_are_a_clear_400(client, owner):
    client.force_login(owner)
    assert client.get("/reports/?week=2026-W99").status_code == 400  # a week that does not exist is a bad request
    answer = client.get("/api/v1/reports/weekly/?week=banana&format=csv")
    assert answer.status_code == 400 and "ISO week" in answer.json()["week"][0]


def test_the_report_is_in_the_openapi_schema(client, owner):
    client.force_login(owner)
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/reports/weekly/" in schema["paths"]
    report = schema["components"]["schemas"]["WeeklyReport"]
    assert set(report["properties"]) >= API_KEYS


def test_the_email_goes_once_per_person_per_week_and_force_sends_again(week_of_work, owner, cm):
    results = report_weekly_send(week=Week.parse(W47))
    assert [(r.user.username, r.sent) for r in results] == [("owner", True)]  # owners by default
    message = mail.outbox[0]
    assert message.to == [owner.email] and W47 in message.subject
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html" and "<svg" not in html
    assert f"/reports/?week={W47}" in message.body and "Fake" in message.body
    # The beat or the command again: nothing more.
    assert [r.sent for r in report_weekly_send(week=Week.parse(W47))] == [False]
    call_command("report_weekly_send", "--week", W47)
    assert len(mail.outbox) == 1
    call_command("report_weekly_send", "--week", W47, "--force")
    assert len(mail.outbox) == 2
    assert WeeklyReportSending.objects.get(user=owner, week=W47).times == 2
    call_command("report_weekly_send", "--week", W47, "--to", "cm")
    assert mail.outbox[-1].to == [cm.email]


def test_opting_in_and_out_from_the_security_page(client, week_of_work, owner, gestor2):
    client.force_login(owner)
    page = client.get("/accounts/security/").content.decode()
    assert "Weekly report by e-mail" in page or "Informe semanal por correo" in page
    client.post("/reports/email/", {"wants": "0"})
    client.force_login(gestor2)
    client.post("/reports/email/", {"wants": "1"})
    sent = report_weekly_send(week=Week.parse(W47))
    assert [r.user.username for r in sent] == ["gestor2"]
    # A gestor's e-mail has their team's figures only.
    assert "Otra tienda" in mail.outbox[-1].body and "Fake" not in mail.outbox[-1].body


def test_the_email_is_in_the_recipients_language(client, week_of_work, owner):
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    client.post("/reports/email/", {"wants": "1"})
    report_weekly_send(week=Week.parse(W47))
    assert mail.outbox[-1].subject.startswith("Weekly report")
    client.cookies["django_language"] = "es"
    client.post("/reports/email/", {"wants": "1"})
    report_weekly_send(week=Week.parse(W47), force=True)
    assert mail.outbox[-1].subject.startswith("Informe semanal")


def test_the_beat_sends_it_on_monday_at_eight_local(settings):
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["weekly-report"]
    assert entry["task"] == "reports.tasks.report_weekly_send_task"
    assert entry["schedule"] == crontab(minute=0, hour=8, day_of_week="mon")
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
