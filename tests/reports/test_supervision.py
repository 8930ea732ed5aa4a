"""The supervision page: per team and channel, per gestor; every figure links to
the inbox listing exactly the conversations it counts."""

import re
from datetime import time, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from teams.models import Member, Shift, Team
from tests.factories import ChannelFactory, ConversationFactory, InboundMessageFactory, UserFactory

pytestmark = pytest.mark.django_db
FIGURE = re.compile(r'<a href="([^"]+)" data-figure="(\w+)"[^>]*>(\d+)</a>')


def make(channel, **fields):
    conversation = ConversationFactory(channel=channel, **fields)
    InboundMessageFactory(conversation=conversation)
    return conversation


@pytest.fixture
def world(web_channel):
    now = timezone.now()
    other = ChannelFactory(name="Instagram Panadería", key="ig-test")
    team = Team.objects.create(name="Atención", time_zone="UTC")
    team.channels.add(web_channel, other)
    ana = UserFactory(username="ana", first_name="Ana", role="gestor")
    luis = UserFactory(username="luis", first_name="Luis", role="gestor")
    for user, starts, ends in ((ana, time(0), time(23, 59)), (luis, time(0), time(0, 1))):
        member = Member.objects.create(user=user, capacity=3)
        team.members.add(member)
        Shift.objects.bulk_create(
            Shift(team=team, member=member, weekday=d, starts=starts, ends=ends) for d in range(7)
        )
    c = {
        "ana_overdue": make(web_channel, assignee=ana, sla_state="breached", sla_due_at=now - timedelta(hours=27)),
        "ana_risk": make(other, assignee=ana, sla_state="at_risk", sla_due_at=now + timedelta(minutes=9)),
        "ana_answered": make(web_channel, assignee=ana, status="waiting", waiting_since=None),
        "luis_overdue": make(other, assignee=luis, sla_state="breached", sla_due_at=now - timedelta(hours=2)),
        "nobody_old": make(web_channel, waiting_since=now - timedelta(hours=30)),
        "resolved": make(web_channel, status="resolved", sla_state="breached", assignee=ana),
    }
    return {"team": team, "ana": ana, "luis": luis, "c": c, "web": web_channel, "ig": other}


def inbox_ids(client, href: str) -> set[int]:
    response = client.get(unescape(href))
    assert response.status_code == 200
    return {c.pk for c in response.context["page"].items}


def test_every_figure_links_to_exactly_the_conversations_it_counts(client, supervisor, world):
    client.force_login(supervisor)
    page = client.get("/supervision/").content.decode()
    figures = FIGURE.findall(page)
    assert len(figures) >= 3 * 3 + 3 * 2  # team and two channels, two gestores
    for href, _kind, count in figures:
        assert len(inbox_ids(client, href)) == int(count), href
    c, team = world["c"], world["team"]
    team_links = {kind: href for href, kind, _n in figures if f"team={team.pk}" in href}
    assert inbox_ids(client, team_links["overdue"]) == {c["ana_overdue"].pk, c["luis_overdue"].pk}
    assert inbox_ids(client, team_links["at_risk"]) == {c["ana_risk"].pk}
    unanswered = {c[k].pk for k in ("ana_overdue", "ana_risk", "luis_overdue", "nobody_old")}
    assert inbox_ids(client, team_links["unanswered"]) == unanswered
    ana = world["ana"].pk
    ana_links = {kind: href for href, kind, _n in figures if f"assignee={ana}" in href}
    assert inbox_ids(client, ana_links["open"]) == {c["ana_overdue"].pk, c["ana_risk"].pk, c["ana_answered"].pk}
    assert inbox_ids(client, ana_links["overdue"]) == {c["ana_overdue"].pk}


def test_gestores_are_split_on_and_off_shift_with_load_and_capacity(client, supervisor, world):
    client.force_login(supervisor)
    response = client.get("/supervision/")
    s = response.context["s"]
    now_hour = timezone.now().hour
    on = {p.name for p in s.on_shift}
    assert "Ana" in on or now_hour == 23  # Ana works 00:00–23:59
    ana = next(p for p in s.on_shift + s.off_shift if p.name == "Ana")
    assert (ana.open_count, ana.capacity, ana.at_risk, ana.overdue) == (3, 3, 1, 1)
    web = next(f for name, f in s.teams[0].channels if name == world["web"].name)
    assert web.oldest_waiting == world["c"]["nobody_old"].waiting_since
    assert web.overdue == 1 and web.unanswered == 2


@pytest.mark.parametrize("persona", ["gestor", "owner"])
def test_gestores_and_the_owner_do_not_get_it(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/supervision/").status_code == 403
    assert 'data-testid="nav-supervision"' not in client.get(reverse("inbox:list")).content.decode()


def test_supervisors_find_it_in_the_navigation(client, supervisor):
    client.force_login(supervisor)
    assert 'data-testid="nav-supervision"' in client.get(reverse("inbox:list")).content.decode()


def test_the_owners_alerts_page_says_what_is_late(client, owner, world):
    """The owner gets no alerts (they go to people), but the page no longer says all is on time."""
    client.force_login(owner)
    page = client.get(reverse("alerts:list")).content.decode()
    assert "Everything is on time" not in page and "Todo va a tiempo" not in page
    late = re.search(r'data-testid="late-now">(.*?)</div>', page, re.S).group(1)
    assert "sla_state=overdue" in late and "sla_state=at_risk" in late
    assert re.search(r">2 [^<]*</a>", late)  # two open conversations overdue (the resolved one is not late)
    assert re.search(r">1 [^<]*</a>", late)


def test_nothing_late_says_so(client, owner, web_channel):
    client.force_login(owner)
    page = client.get(reverse("alerts:list")).content.decode()
    assert "sla_state=" not in page


def test_replies_today_link_to_the_conversations_replied_in(client, supervisor, world):
    from inbox.services.replies import reply_create, reply_send

    ana, c = world["ana"], world["c"]
    for key in ("ana_overdue", "ana_risk"):
        reply_send(message_id=reply_create(conversation=c[key], sender=ana, body="Lo miramos ahora.").pk)
    client.force_login(supervisor)
    page = client.get("/supervision/").content.decode()
    href, count = re.search(
        rf'<tr data-testid="person-{ana.pk}">.*?<a href="([^"]+)" data-replies>(\d+)</a>', page, re.S
    ).groups()
    assert count == "2"
    assert inbox_ids(client, href) == {c["ana_overdue"].pk, c["ana_risk"].pk}
