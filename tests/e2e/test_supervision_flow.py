"""A supervisor opens the supervision page, follows the overdue figure of one
gestor to the inbox filtered to exactly those conversations, and reassigns the
three of them at once; on a desktop and on a phone."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from inbox.models import Conversation, ConversationEvent
from teams.models import Member, Shift, Team
from tests.factories import ConversationFactory, InboundMessageFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("name", "viewport"), [("desktop", {"width": 1366, "height": 900}), ("phone", {"width": 390, "height": 844})]
)
def test_supervisor_follows_a_figure_and_reassigns_three(
    signed_in, live_server, artifacts, supervisor, web_channel, settings, name, viewport
):
    settings.MOSTRADOR_2FA_REQUIRED_ROLES = []
    team = Team.objects.create(name="Atención al cliente", time_zone="UTC")
    team.channels.add(web_channel)
    people = {}
    for username, starts, ends in (("lucia", time(0), time(23, 59)), ("pablo", time(0), time(23, 59))):
        user = UserFactory(username=username, first_name=username.title(), role="gestor")
        member = Member.objects.create(user=user, capacity=4)
        team.members.add(member)
        Shift.objects.bulk_create(
            Shift(team=team, member=member, weekday=d, starts=starts, ends=ends) for d in range(7)
        )
        people[username] = user
    now = timezone.now()
    late = []
    for hours in (27, 9, 3):
        conversation = ConversationFactory(
            channel=web_channel,
            assignee=people["lucia"],
            status="open",
            sla_state="breached",
            sla_due_at=now - timedelta(hours=hours),
            waiting_since=now - timedelta(hours=hours + 1),
        )
        InboundMessageFactory(conversation=conversation)
        late.append(conversation)
    on_time = ConversationFactory(channel=web_channel, assignee=people["lucia"], status="open")
    InboundMessageFactory(conversation=on_time)

    page = signed_in(supervisor, viewport=viewport)
    if name == "desktop":
        page.click("[data-testid=nav-supervision]")
    else:
        page.goto(f"{live_server.url}/supervision/")
    page.wait_for_selector("[data-testid=people]")
    lucia = page.locator(f"[data-testid=person-{people['lucia'].pk}]")
    assert lucia.locator("[data-figure=open]").inner_text() == "4"
    assert lucia.locator("[data-figure=overdue]").inner_text() == "3"
    page.screenshot(path=str(artifacts / f"e2e-supervision-{name}.png"), full_page=True)

    lucia.locator("[data-figure=overdue]").click()
    page.wait_for_selector("[data-testid=bulk-form]")
    assert "sla_state=overdue" in page.url and f"assignee={people['lucia'].pk}" in page.url
    ticks = page.locator("[data-testid=tick]")
    assert ticks.count() == 3
    page.screenshot(path=str(artifacts / f"e2e-supervision-inbox-{name}.png"), full_page=True)

    # "?" lists the keyboard shortcuts; j moves to the next conversation, x ticks it.
    page.keyboard.press("?")
    assert page.locator("[data-testid=shortcuts]").is_visible()
    page.screenshot(path=str(artifacts / f"e2e-supervision-shortcuts-{name}.png"))
    page.keyboard.press("Escape")
    assert not page.locator("[data-testid=shortcuts]").is_visible()
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert ticks.nth(0).is_checked() and not ticks.nth(1).is_checked()

    page.check("#bulk-all")
    assert all(ticks.nth(i).is_checked() for i in range(3))
    page.select_option("[data-testid=bulk-action]", "assign")
    page.select_option("[data-testid=bulk-assignee]", str(people["pablo"].pk))
    page.click("[data-testid=bulk-apply]")
    page.wait_for_selector(".flash--success")
    page.screenshot(path=str(artifacts / f"e2e-supervision-reassigned-{name}.png"), full_page=True)
    # Back on the same filter: Lucía has nothing overdue left.
    assert page.locator("[data-testid=tick]").count() == 0

    for conversation in late:
        conversation.refresh_from_db()
        assert conversation.assignee == people["pablo"] and conversation.assignment_held
        assert conversation.events.filter(
            kind=ConversationEvent.Kind.ASSIGNED, actor=supervisor, data__reason="manual"
        ).exists()
    assert Conversation.objects.get(pk=on_time.pk).assignee == people["lucia"]

    page.goto(f"{live_server.url}/supervision/")
    pablo = page.locator(f"[data-testid=person-{people['pablo'].pk}]")
    assert pablo.locator("[data-figure=overdue]").inner_text() == "3"

    # The assignee picker says who is on shift and their load; the page names each clock.
    page.goto(f"{live_server.url}/conversations/{late[0].pk}/")
    page.wait_for_selector("#id_assignee option:has-text('de turno')", state="attached")
    options = page.locator("#id_assignee option").all_inner_texts()
    assert any(o.startswith("Pablo") and "de turno" in o and "3/4" in o for o in options), options
    assert "vencido" in page.inner_text("[data-testid=clock-deadline]")
    assert "Plazo de primera respuesta" in page.inner_text("[data-testid=clock-deadline]") or (
        "Plazo de respuesta" in page.inner_text("[data-testid=clock-deadline]")
    )
    assert "Cliente esperando respuesta" in page.inner_text("[data-testid=clock-waiting]")
    page.screenshot(path=str(artifacts / f"e2e-supervision-conversation-{name}.png"), full_page=True)
