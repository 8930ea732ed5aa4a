"""The inbox for people who work in it all day: filters, sorts, bulk actions,
reclassifying from the conversation page (pages and API)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inbox.models import Conversation, ConversationEvent
from protocols.models import Category
from tests.factories import ConversationFactory, InboundMessageFactory, UserFactory

pytestmark = pytest.mark.django_db


def make(channel, **fields):
    conversation = ConversationFactory(channel=channel, **fields)
    InboundMessageFactory(conversation=conversation)
    return conversation


def listed(client, query: str) -> list[int]:
    response = client.get(f"/api/v1/conversations/?{query}")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def page_ids(client, query: str) -> set[int]:
    """Conversation ids on the inbox page for ``query`` (every page)."""
    response = client.get(f"{reverse('inbox:list')}?{query}")
    assert response.status_code == 200
    return {c.pk for c in response.context["page"].items}


@pytest.fixture
def world(web_channel, default_protocol, gestor):
    now = timezone.now()
    queja = Category.objects.get(slug="queja")
    return {
        "overdue": make(web_channel, sla_state="breached", sla_due_at=now - timedelta(hours=27), assignee=gestor),
        "at_risk": make(web_channel, sla_state="at_risk", sla_due_at=now + timedelta(minutes=5)),
        "tagged": make(web_channel, tags=["envio", "vip"], category=queja, priority=4),
        "old": make(web_channel, waiting_since=now - timedelta(days=2), first_inbound_at=now - timedelta(days=2)),
        "answered": make(web_channel, waiting_since=None, status="waiting", last_inbound_at=now - timedelta(hours=1)),
    }


def test_each_filter_lists_exactly_its_conversations(client, supervisor, gestor, world):
    client.force_login(supervisor)
    assert listed(client, "sla_state=overdue") == [world["overdue"].pk]
    assert listed(client, "sla_state=at_risk") == [world["at_risk"].pk]
    assert listed(client, f"assignee={gestor.pk}") == [world["overdue"].pk]
    assert world["overdue"].pk not in listed(client, "assignee=none")
    assert listed(client, "category=queja") == [world["tagged"].pk]
    assert listed(client, "priority=4") == [world["tagged"].pk]
    assert listed(client, "tag=vip") == [world["tagged"].pk]
    assert listed(client, "tag=vi") == []  # a tag matches whole
    assert world["answered"].pk not in listed(client, "unanswered=1")
    # The page filters the same way.
    assert page_ids(client, "sla_state=overdue") == {world["overdue"].pk}
    assert page_ids(client, "tag=envio&priority=4") == {world["tagged"].pk}


def test_bad_filters_are_a_clear_400_in_the_api(client, supervisor, world):
    client.force_login(supervisor)
    response = client.get("/api/v1/conversations/?sla_state=late&assignee=ana&sort=sideways&priority=9")
    assert response.status_code == 400
    assert set(response.json()) >= {"sla_state", "assignee", "sort", "priority"}


def test_sorts_oldest_waiting_by_default_newest_and_nearest_deadline(client, supervisor, world):
    client.force_login(supervisor)
    oldest = listed(client, "")
    assert oldest[0] == world["old"].pk
    assert oldest[-1] == world["answered"].pk  # nobody waits: last
    assert listed(client, "sort=deadline")[:2] == [world["overdue"].pk, world["at_risk"].pk]
    newest = listed(client, "sort=newest")
    assert newest.index(world["answered"].pk) > newest.index(world["tagged"].pk)
    assert newest[-1] == world["old"].pk


@pytest.mark.parametrize("sort", ["oldest", "newest", "deadline"])
def test_keyset_pages_walk_every_conversation_once_in_each_sort(client, supervisor, web_channel, sort):
    now = timezone.now()
    for n in range(60):
        make(
            web_channel,
            waiting_since=None if n % 5 == 0 else now - timedelta(minutes=n % 7),
            sla_due_at=None if n % 3 else now + timedelta(minutes=n % 4),
            last_inbound_at=now - timedelta(minutes=n % 6),
        )
    client.force_login(supervisor)
    seen, url = [], f"/api/v1/conversations/?sort={sort}"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 60
    assert seen == listed_all(sort)
    # And back: the previous link of the last page gives the page before it.
    last = client.get(f"/api/v1/conversations/?sort={sort}").json()
    second = client.get(last["next"]).json()
    back = client.get(second["previous"]).json()
    assert [r["id"] for r in back["results"]] == seen[:50]


def listed_all(sort):
    from inbox.selectors import InboxFilters, conversation_list

    return list(conversation_list(user=None, filters=InboxFilters(sort=sort)).values_list("pk", flat=True))


def test_a_supervisor_bulk_assigns_through_the_service(client, supervisor, gestor, world):
    client.force_login(supervisor)
    ids = [world["at_risk"].pk, world["tagged"].pk, world["old"].pk]
    response = client.post(reverse("inbox:bulk"), {"ids": ids, "action": "assign", "assignee": gestor.pk})
    assert response.status_code == 302
    for pk in ids:
        conversation = Conversation.objects.get(pk=pk)
        assert conversation.assignee == gestor and conversation.assignment_held
        event = conversation.events.get(kind=ConversationEvent.Kind.ASSIGNED)
        assert event.actor == supervisor and event.data["reason"] == "manual"


def test_a_gestor_bulk_changes_only_their_own_and_cannot_assign(client, gestor, world):
    client.force_login(gestor)
    mine, theirs = world["overdue"], world["at_risk"]
    assert (
        client.post(reverse("inbox:bulk"), {"ids": [mine.pk], "action": "assign", "assignee": gestor.pk}).status_code
        == 403
    )
    client.post(reverse("inbox:bulk"), {"ids": [mine.pk, theirs.pk], "action": "tags", "tags": "envío, #urgente"})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.tags == ["envío", "urgente"] and theirs.tags == []
    event = mine.events.get(kind=ConversationEvent.Kind.RECLASSIFIED)
    assert event.data == {"tags": ["envío", "urgente"], "previous_tags": []} and event.actor == gestor
    client.post(reverse("inbox:bulk"), {"ids": [mine.pk, theirs.pk], "action": "resolve"})
    assert Conversation.objects.get(pk=mine.pk).status == "resolved"
    assert Conversation.objects.get(pk=theirs.pk).status != "resolved"
    # Bad input: a clear message, nothing changed.
    response = client.post(reverse("inbox:bulk"), {"action": "resolve"}, follow=True)
    assert "Tick some conversations first." in response.content.decode() or "Marca" in response.content.decode()


def test_reclassifying_recomputes_the_deadlines_and_is_an_event(client, gestor, web_channel, default_protocol):
    conversation = make(web_channel)
    from protocols.sla import conversations_sla_update

    conversations_sla_update(conversations=[conversation])
    conversation.refresh_from_db()
    general_due = conversation.first_response_due_at
    client.force_login(gestor)
    response = client.post(
        reverse("inbox:reclassify", args=[conversation.pk]),
        {"category": "queja", "priority": "3", "tags": "envio"},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.category.slug == "queja" and conversation.priority == 3 and conversation.tags == ["envio"]
    assert conversation.sla_policy.category.slug == "queja"
    assert conversation.first_response_due_at != general_due
    event = conversation.events.get(kind=ConversationEvent.Kind.RECLASSIFIED)
    assert event.actor == gestor
    assert event.data["category_id"] == conversation.category_id and event.data["previous_category_id"] is None
    assert event.data["priority"] == 3 and event.data["previous_priority"] == 2
    # The same again changes nothing and writes nothing.
    client.post(
        reverse("inbox:reclassify", args=[conversation.pk]), {"category": "queja", "priority": "3", "tags": "envio"}
    )
    assert conversation.events.filter(kind=ConversationEvent.Kind.RECLASSIFIED).count() == 1


def test_the_owner_cannot_reclassify_or_bulk(client, owner, world):
    client.force_login(owner)
    pk = world["old"].pk
    assert client.post(reverse("inbox:reclassify", args=[pk]), {"priority": "4"}).status_code == 403
    assert client.post(reverse("inbox:bulk"), {"ids": [pk], "action": "resolve"}).status_code == 403


def test_the_conversation_page_names_each_clock(client, supervisor, world):
    client.force_login(supervisor)
    overdue = world["overdue"]
    Conversation.objects.filter(pk=overdue.pk).update(
        first_response_due_at=overdue.sla_due_at, waiting_since=timezone.now() - timedelta(hours=4)
    )
    page = client.get(reverse("inbox:detail", args=[overdue.pk])).content.decode()
    assert 'data-testid="clock-deadline"' in page and 'data-testid="clock-waiting"' in page
    assert "First response deadline" in page or "Plazo de primera respuesta" in page
    assert "Customer waiting for an answer" in page or "Cliente esperando respuesta" in page


def test_the_assignee_picker_shows_shift_and_load(client, supervisor, gestor, world):
    client.force_login(supervisor)
    html = client.get(reverse("inbox:assignees", args=[world["old"].pk])).content.decode()
    name = gestor.get_full_name() or gestor.username
    assert name in html
    assert "1 open" in html or "1 abiertas" in html or "1/" in html
    other = UserFactory(username="nadie", role="owner")
    assert other.username not in html


def test_saved_views_are_per_person_and_shareable_with_the_team(client, gestor, supervisor, world):
    client.force_login(supervisor)
    response = client.post(
        reverse("inbox:saved-view"),
        {"action": "save", "name": "Vencidas", "query": "sla_state=overdue&bogus=1&after=xyz", "shared": "1"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?sla_state=overdue")
    client.post(reverse("inbox:saved-view"), {"action": "save", "name": "Mías", "query": "scope=mine"})
    names = [v.name for v in client.get(reverse("inbox:list")).context["saved_views"]]
    assert names == ["Mías", "Vencidas"]

    client.force_login(gestor)
    views = client.get(reverse("inbox:list")).context["saved_views"]
    assert [v.name for v in views] == ["Vencidas"]  # shared; the private one is not
    shared = views[0]
    assert page_ids(client, shared.query) == {world["overdue"].pk}
    # Not theirs: cannot delete it. Bad input loses nothing.
    client.post(reverse("inbox:saved-view"), {"action": "delete", "id": shared.pk})
    client.post(reverse("inbox:saved-view"), {"action": "delete", "id": "x"})
    client.post(reverse("inbox:saved-view"), {"action": "save", "name": "  ", "query": "tag=vip"})
    assert [v.name for v in client.get(reverse("inbox:list")).context["saved_views"]] == ["Vencidas"]
    client.force_login(supervisor)
    client.post(reverse("inbox:saved-view"), {"action": "delete", "id": shared.pk})
    assert [v.name for v in client.get(reverse("inbox:list")).context["saved_views"]] == ["Mías"]
