"""A supervisor sees the rota's gap on Sunday night, fills it from the browser, and
a new conversation lands with whoever is on shift."""

from datetime import time

import pytest

from inbox.models import Conversation
from teams.models import Member, Shift, Team
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_supervisor_fills_the_gap_and_work_lands_on_shift(
    signed_in, live_server, artifacts, supervisor, web_channel, post_webhook
):
    team = Team.objects.create(name="Atención al cliente")
    team.channels.add(web_channel)
    rota = {"lucia": (time(7), time(15)), "pablo": (time(15), time(23)), "sara": (time(23), time(7))}
    for username, (starts, ends) in rota.items():
        member = Member.objects.create(user=UserFactory(username=username, first_name=username.title(), role="gestor"))
        team.members.add(member)
        days = range(6) if username == "sara" else range(7)  # nobody on Sunday night
        Shift.objects.bulk_create(Shift(team=team, member=member, weekday=d, starts=starts, ends=ends) for d in days)

    page = signed_in(supervisor)
    page.click("nav >> text=Equipos")
    page.click("text=Cuadrante")
    page.wait_for_selector("[data-testid=rota-grid]")
    assert page.locator("[data-testid=gap]").count() == 8  # Monday 00–07 and Sunday 23–24
    assert page.locator("[data-testid=gap-warning]").is_visible()
    page.screenshot(path=str(artifacts / "e2e-rota-gap.png"), full_page=True)

    form = page.locator("[data-testid=form-shift]")
    form.locator("select[name=member]").select_option(label="Sara")
    form.locator("select[name=weekday]").select_option(value="6")
    form.locator("input[name=starts]").fill("23:00")
    form.locator("input[name=ends]").fill("07:00")
    form.locator("button").click()
    page.wait_for_selector("text=Cuadrante actualizado")
    assert page.locator("[data-testid=gap]").count() == 0
    assert "100,0 %" in page.inner_text("[data-testid=coverage]")
    page.screenshot(path=str(artifacts / "e2e-rota-covered.png"), full_page=True)

    message = {
        "external_id": "f-1",
        "name": "Rosa",
        "email": "rosa@example.com",
        "subject": "Pan",
        "message": "¿Abrís?",
    }
    assert post_webhook(web_channel, message).status_code == 202
    conversation = Conversation.objects.get()
    assert conversation.assignee is not None and conversation.assignee.username in rota
    page.goto(f"{live_server.url}/teams/")
    row = page.locator(f"[data-testid=member-{conversation.assignee.username}]")
    assert "de turno" in row.inner_text().lower()
