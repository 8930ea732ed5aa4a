"""Every main page and API list runs a fixed number of SQL queries, whatever the data.

Each page is read once at a small size and once at ten times that (conversations,
members, teams' channels, shifts, messages per thread); the counts must be equal and
at most ``MAX_QUERIES``. A page that loads something per row fails here."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inbox.models import Conversation, Message
from quality.models import ReviewItem
from quality.services import review_create, rubric
from teams.models import Member, Shift, Team
from tests.factories import ChannelFactory, ConversationFactory, InboundMessageFactory, UserFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12
STATUSES = ["new", "open", "waiting", "resolved"]


def _build(size: int, supervisor) -> dict:
    """``size`` channels' worth of conversations, members and shifts over two teams."""
    tag = f"s{size}"
    channels = [ChannelFactory(name=f"{tag} canal {n}", key=f"{tag}-{n}") for n in range(max(2, size // 3))]
    teams = [Team.objects.create(name=f"{tag} equipo {n}") for n in range(2)]
    teams[0].channels.add(*channels)
    teams[1].channels.add(*channels[: len(channels) // 2])
    members = []
    for n in range(size):
        user = UserFactory(username=f"{tag}-gestor{n}", role="gestor")
        member = Member.objects.create(user=user, capacity=5)
        teams[n % 2].members.add(member)
        for weekday in range(7):
            Shift.objects.create(team=teams[n % 2], member=member, weekday=weekday, starts=time(8), ends=time(16))
        members.append(member)
    now = timezone.now()
    conversations = []
    for n in range(size * 2):
        conversation = ConversationFactory(
            channel=channels[n % len(channels)],
            status=STATUSES[n % 4],
            assignee=members[n % len(members)].user if n % 3 else None,
            subject=f"{tag} pedido {n}",
            waiting_since=now - timedelta(minutes=n),
            sla_due_at=now + timedelta(hours=n) if n % 2 else None,
        )
        for k in range(1 + size // 3):
            InboundMessageFactory(conversation=conversation, body=f"Mi pedido {n}-{k} no ha llegado")
            Message.objects.create(
                conversation=conversation,
                channel=conversation.channel,
                direction=Message.Direction.OUT,
                sender=members[0].user,
                body="Lo miramos",
                created_at=now,
                delivery_status=Message.DeliveryStatus.SENT,
            )
        conversations.append(conversation)
    # Quality review: half the replies queued, half of those reviewed.
    replies = Message.objects.filter(direction=Message.Direction.OUT, conversation__in=conversations)
    for n, reply in enumerate(replies[: size * 2]):
        item = ReviewItem.objects.create(
            message=reply,
            conversation_id=reply.conversation_id,
            gestor=reply.sender,
            monday=now.date(),
            reason="sample",
        )
        if n % 2:
            review_create(item=item, by=supervisor, scores=dict.fromkeys([c.key for c in rubric()], 2))
    longest = max(conversations, key=lambda c: c.pk if c.status == Conversation.Status.OPEN else 0)
    return {
        "inbox": "/",
        "inbox_filtered": f"/?status=open&channel={channels[0].pk}",
        "inbox_resolved": "/?status=resolved",
        "inbox_mine": "/?scope=mine",
        "inbox_search": "/?q=pedido",
        "inbox_search_phrase": '/?q="no+ha+llegado"&status=any',
        "conversation": f"/conversations/{longest.pk}/",
        "inbox_late_by_oldest": "/?sla_state=overdue&assignee=none",
        "inbox_tag_deadline": "/?tag=vip&priority=3&category=queja&sort=deadline",
        "supervision": "/supervision/",
        "alerts": "/alerts/",
        "teams": "/teams/",
        "rota": f"/teams/{teams[0].pk}/rota/",
        "api_conversations": "/api/v1/conversations/",
        "api_conversations_search": "/api/v1/conversations/?q=pedido&status=any",
        "api_conversations_filtered": (
            f"/api/v1/conversations/?sla_state=at_risk&assignee={members[0].user_id}&sort=newest"
        ),
        "api_teams": "/api/v1/teams/",
        "api_on_shift": f"/api/v1/teams/{teams[0].pk}/on-shift/",
        "api_members": "/api/v1/members/",
        "api_shifts": f"/api/v1/shifts/?team={teams[0].pk}",
        "quality_queue": "/quality/",
        "api_reviews": "/api/v1/reviews/",
        "api_review_queue": "/api/v1/reviews/queue/",
    }


def _counts(urls: dict[str, str], user) -> dict[str, int]:
    client = Client()
    client.force_login(user)
    counts = {}
    for name, url in urls.items():
        client.get(url)  # the first request fills caches; count the steady state, like the bench
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[name] = len(queries)
    return counts


def test_main_pages_run_a_fixed_number_of_queries(supervisor):
    small = _counts(_build(3, supervisor), supervisor)
    large = _counts(_build(30, supervisor), supervisor)
    assert large == small
    assert max(small.values()) <= MAX_QUERIES, small


def test_the_inbox_does_not_count_resolved_history(supervisor, web_channel):
    for status in STATUSES:
        ConversationFactory(channel=web_channel, status=status, thread_key=status)
    client = Client()
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    counting = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "inbox_conversation" in q["sql"]]
    assert counting and all("'resolved'" not in sql for sql in counting)
    assert all("IN ('new', 'open', 'waiting')" in sql for sql in counting)
