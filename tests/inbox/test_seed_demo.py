"""``seed_demo``: the demo looks like real traffic and a second run adds nothing."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from channels.models import Channel
from inbox.models import Contact, Conversation, ConversationEvent, Message
from inbox.services.ingest import inbound_events_drain
from tests.conftest import sign

pytestmark = pytest.mark.django_db

DEMO_USERS = {
    "gestor1": "gestor",
    "gestor2": "gestor",
    "gestor3": "gestor",
    "supervisor": "supervisor",
    "cm": "community_manager",
    "owner": "owner",
}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "channels": Channel.objects.count(),
        "contacts": Contact.objects.count(),
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "events": ConversationEvent.objects.count(),
        "memberships": get_user_model().groups.through.objects.count(),
    }


def test_running_twice_changes_nothing():
    _seed()
    first = _counts()
    snapshot = list(Conversation.objects.order_by("pk").values("status", "assignee", "category", "waiting_since"))

    output = _seed()

    assert _counts() == first
    assert list(Conversation.objects.order_by("pk").values("status", "assignee", "category", "waiting_since")) == (
        snapshot
    )
    assert "0 new conversations" in output


def test_demo_users_log_in_with_demo_and_hold_their_role(client):
    _seed()
    for username, role in DEMO_USERS.items():
        user = get_user_model().objects.get(username=username)
        assert user.first_name and user.last_name
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_staff is (username == "cm")
        assert not user.is_superuser
        # Through the login page: the lockout (django-axes) wants a request, and
        # the demo (DEBUG) requires no second factor of any role.
        response = client.post("/accounts/login/", {"username": username, "password": "demo"})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(user.pk), username
        client.logout()


def test_the_demo_reads_like_a_real_inbox():
    _seed()
    bakery = Channel.objects.get(key="demo-web")
    assert (bakery.kind, bakery.name, bakery.credentials) == (
        "web",
        "Web — Panadería La Espiga",
        {"secret": "demo-web-secret"},
    )
    assert Channel.objects.get(key="demo-esqui").credentials == {"secret": "demo-esqui-secret"}

    conversations = Conversation.objects.all()
    assert conversations.count() >= 30
    # Every inbound message came through the ingest service, which logs its arrival.
    inbound = Message.objects.filter(direction=Message.Direction.IN)
    assert ConversationEvent.objects.filter(kind=ConversationEvent.Kind.RECEIVED).count() == inbound.count()
    # Some threads hold several messages from the same customer.
    assert inbound.count() > conversations.count()

    statuses = set(conversations.values_list("status", flat=True))
    assert {"new", "open", "waiting", "resolved"} <= statuses
    assert conversations.filter(assignee__username__startswith="gestor").exists()
    assert conversations.filter(category__slug="crisis").count() >= 4
    assert not conversations.filter(category__isnull=True).exists()

    replies = Message.objects.filter(direction=Message.Direction.OUT)
    assert replies.exists()
    assert set(replies.values_list("delivery_status", flat=True)) == {Message.DeliveryStatus.SENT}
    assert Message.objects.filter(direction=Message.Direction.NOTE).exists()

    # "Waiting since" spreads over the last days, so the queue has an order.
    waiting = conversations.exclude(waiting_since=None).values_list("waiting_since", flat=True)
    assert (max(waiting) - min(waiting)).total_seconds() > 24 * 3600


def test_the_readme_sample_is_accepted_by_the_demo_channel(client):
    _seed()
    before = Message.objects.count()
    body = json.dumps(
        {
            "external_id": "web-0001",
            "name": "Ana López",
            "email": "ana@example.com",
            "subject": "Pan sin gluten",
            "message": "¿Tenéis pan sin gluten el domingo?",
        }
    ).encode()
    response = client.post(
        "/webhooks/web/demo-web/",
        data=body,
        content_type="application/json",
        HTTP_X_MOSTRADOR_SIGNATURE=sign("demo-web-secret", body),
    )
    assert response.status_code == 202, response.content
    inbound_events_drain()
    assert Message.objects.count() == before + 1


def test_every_demo_conversation_opens_after_the_first_handovers(client):
    """Hardening item 1: minutes after `make run` the rota handed work over and
    the handed-over conversations answered 500."""
    from datetime import timedelta

    from django.utils import timezone

    from teams.models import Team
    from teams.services.assignment import shift_handover

    _seed()
    # Walk a day of shift ends: every team hands over whatever it holds.
    for hours in range(0, 24, 2):
        for team in Team.objects.all():
            shift_handover(team=team, now=timezone.now() + timedelta(hours=hours))
    assert Message.objects.filter(direction=Message.Direction.NOTE, sender__isnull=True).exists()
    client.force_login(get_user_model().objects.get(username="supervisor"))
    for pk in Conversation.objects.values_list("pk", flat=True):
        assert client.get(f"/conversations/{pk}/").status_code == 200, pk
