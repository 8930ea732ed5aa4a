"""Assignment to whoever is on shift: strategies, capacity, queue, urgency, handover, concurrency."""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from core.models import Alert
from inbox.models import Conversation, ConversationEvent, Message
from teams.models import Absence, Member, Shift, Team
from teams.services.assignment import conversations_assign, shift_handover, team_queue_drain
from tests.factories import ConversationFactory, InboundMessageFactory, UserFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=MADRID)
EVENING = datetime(2026, 11, 24, 16, 0, tzinfo=MADRID)


def new_conversations(channel, n, **fields):
    conversations = []
    for _ in range(n):
        conversation = ConversationFactory(channel=channel, **fields)
        InboundMessageFactory(conversation=conversation)
        conversations.append(conversation)
    return conversations


def second_morning_gestor(team, capacity=5):
    user = UserFactory(username="dani", first_name="Dani", role="gestor")
    member = Member.objects.create(user=user, capacity=capacity)
    team.members.add(member)
    Shift.objects.bulk_create(
        Shift(team=team, member=member, weekday=d, starts=time(7), ends=time(15)) for d in range(7)
    )
    return member


def test_a_new_conversation_goes_to_whoever_is_on_shift(team, staff, web_channel):
    (conversation,) = new_conversations(web_channel, 1)
    result = conversations_assign(conversation_ids=[conversation.pk], now=EVENING)
    conversation.refresh_from_db()
    assert conversation.assignee == staff["bea"].user
    assert conversation.team == team
    assert result.assigned == {conversation.pk: staff["bea"].user_id}
    event = conversation.events.get(kind=ConversationEvent.Kind.ASSIGNED)
    assert event.data["reason"] == "auto" and event.actor is None
    assert Alert.objects.get(recipient=staff["bea"].user, kind="assigned").conversation == conversation


def test_least_open_balances_the_load(team, staff, web_channel):
    dani = second_morning_gestor(team)
    ConversationFactory(channel=web_channel, assignee=staff["ana"].user)  # Ana already holds one
    conversations = new_conversations(web_channel, 5)
    conversations_assign(conversation_ids=[c.pk for c in conversations], now=MORNING)
    loads = {m.user.username: Conversation.objects.filter(assignee=m.user).count() for m in (staff["ana"], dani)}
    assert loads == {"ana": 3, "dani": 3}


def test_round_robin_takes_turns(team, staff, web_channel):
    team.strategy = Team.Strategy.ROUND_ROBIN
    team.save()
    dani = second_morning_gestor(team)
    conversations = new_conversations(web_channel, 4)
    result = conversations_assign(conversation_ids=[c.pk for c in conversations], now=MORNING)
    order = [result.assigned[c.pk] for c in conversations]
    assert order == [staff["ana"].user_id, dani.user_id, staff["ana"].user_id, dani.user_id]


def test_never_above_capacity_the_rest_waits_in_the_queue(team, staff, web_channel):
    conversations = new_conversations(web_channel, 7)
    result = conversations_assign(conversation_ids=[c.pk for c in conversations], now=MORNING)
    assert len(result.assigned) == 5  # Ana's capacity
    assert len(result.queued) == 2
    queued = Conversation.objects.filter(assignee__isnull=True)
    assert queued.count() == 2 and all(c.team_id == team.pk for c in queued)


def test_urgent_and_crisis_first(team, staff, web_channel):
    Member.objects.filter(pk=staff["ana"].pk).update(capacity=1)
    normal, urgent = new_conversations(web_channel, 1)[0], new_conversations(web_channel, 1, priority=4)[0]
    conversations_assign(conversation_ids=[normal.pk, urgent.pk], now=MORNING)
    urgent.refresh_from_db()
    normal.refresh_from_db()
    assert urgent.assignee == staff["ana"].user
    assert normal.assignee is None


def test_away_and_absent_members_get_nothing(team, staff, web_channel):
    Member.objects.filter(pk=staff["ana"].pk).update(away=True)
    (first,) = new_conversations(web_channel, 1)
    assert conversations_assign(conversation_ids=[first.pk], now=MORNING).queued == [first.pk]
    Member.objects.filter(pk=staff["ana"].pk).update(away=False)
    Absence.objects.create(member=staff["ana"], first_day=MORNING.date(), last_day=MORNING.date())
    assert conversations_assign(conversation_ids=[first.pk], now=MORNING).queued == [first.pk]


def test_with_nobody_on_shift_the_queue_is_assigned_at_the_next_shift_start(team, staff, web_channel):
    Shift.objects.filter(member=staff["car"]).delete()  # nobody at night
    night = datetime(2026, 11, 24, 3, 0, tzinfo=MADRID)
    later, sooner = new_conversations(web_channel, 2)
    Conversation.objects.filter(pk=sooner.pk).update(sla_due_at=night + timedelta(hours=1))
    Conversation.objects.filter(pk=later.pk).update(sla_due_at=night + timedelta(hours=5))
    Member.objects.filter(pk=staff["ana"].pk).update(capacity=1)
    assert len(conversations_assign(conversation_ids=[later.pk, sooner.pk], now=night).queued) == 2
    result = team_queue_drain(team=team, now=datetime(2026, 11, 24, 7, 0, tzinfo=MADRID))
    assert list(result.assigned) == [sooner.pk]  # the nearest deadline first


def test_the_tick_takes_no_lock_while_nobody_can_take_the_queue(team, staff, web_channel):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from teams.services.assignment import rota_tick

    Shift.objects.filter(member=staff["car"]).delete()  # nobody at night
    night = datetime(2026, 11, 24, 3, 0, tzinfo=MADRID)
    waiting = new_conversations(web_channel, 2)
    assert rota_tick(now=night) == {"handed_over": 0, "assigned_from_queue": 0}
    assert set(Conversation.objects.filter(pk__in=[c.pk for c in waiting]).values_list("team", flat=True)) == {
        team.pk
    }  # queued by the first tick
    with CaptureQueriesContext(connection) as queries:
        assert rota_tick(now=night + timedelta(minutes=1)) == {"handed_over": 0, "assigned_from_queue": 0}
    assert not [q for q in queries if "FOR UPDATE" in q["sql"] or q["sql"].startswith("UPDATE")]
    # Morning: Ana starts and takes the queue.
    assert rota_tick(now=datetime(2026, 11, 24, 7, 0, tzinfo=MADRID))["assigned_from_queue"] == 2


def test_handover_at_shift_end(team, staff, web_channel):
    conversations = new_conversations(web_channel, 3)
    conversations_assign(conversation_ids=[c.pk for c in conversations], now=MORNING)
    answered = conversations[2]
    Conversation.objects.filter(pk=answered.pk).update(
        waiting_since=None, status=Conversation.Status.WAITING
    )  # answered: stays with Ana
    result = shift_handover(team=team, now=EVENING)
    assert sorted(result.assigned) == sorted(c.pk for c in conversations[:2])
    for conversation in conversations[:2]:
        conversation.refresh_from_db()
        assert conversation.assignee == staff["bea"].user
        note = conversation.messages.get(direction=Message.Direction.NOTE)
        assert "Ana" in note.body
        assert conversation.events.filter(kind=ConversationEvent.Kind.HANDED_OVER).exists()
    answered.refresh_from_db()
    assert answered.assignee == staff["ana"].user
    summary = Alert.objects.get(recipient=staff["bea"].user, kind="handover")
    assert "2 × Ana" in summary.text
    # Nothing more to hand over a minute later.
    assert shift_handover(team=team, now=EVENING + timedelta(minutes=1)).assigned == {}


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_double_assign_or_exceed_capacity(team, staff, web_channel):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    second_morning_gestor(team, capacity=4)
    Member.objects.filter(pk=staff["ana"].pk).update(capacity=4)
    conversations = new_conversations(web_channel, 20)
    ids = [c.pk for c in conversations]
    results, errors = [], []

    def worker(chunk):
        try:
            results.append(conversations_assign(conversation_ids=chunk, now=MORNING))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # Four workers, overlapping sets of conversations.
    threads = [threading.Thread(target=worker, args=(ids[i : i + 10],)) for i in (0, 5, 10, 0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    given = [pk for r in results for pk in r.assigned]
    assert len(given) == len(set(given)) == 8  # each once, 4 + 4 capacity
    per_user = Conversation.objects.filter(assignee__isnull=False).values_list("assignee", flat=True)
    assert max(list(per_user).count(u) for u in set(per_user)) == 4
    assert ConversationEvent.objects.filter(kind=ConversationEvent.Kind.ASSIGNED).count() == 8


@pytest.mark.django_db(transaction=True)
def test_a_webhook_delivery_lands_with_whoever_is_on_shift_now(team, staff, web_channel, post_webhook):
    form = {"external_id": "f-1", "name": "Ana", "email": "ana@example.com", "subject": "Pan", "message": "¿Pan?"}
    assert post_webhook(web_channel, form).status_code == 202
    conversation = Conversation.objects.get()
    working = [m.user for m in staff.values() if m.user_id == conversation.assignee_id]
    assert len(working) == 1
    assert conversation.team == team


def test_a_protocol_rule_can_send_a_conversation_to_another_team(team, staff, web_channel, default_protocol):
    from protocols.models import Rule
    from tests.protocols.helpers import deliver

    legal = Team.objects.create(name="Legal")
    lawyer = Member.objects.create(user=UserFactory(username="abogada", role="gestor"))
    legal.members.add(lawyer)
    Shift.objects.bulk_create(
        Shift(team=legal, member=lawyer, weekday=d, starts=time(8), ends=time(20)) for d in range(7)
    )
    Rule.objects.create(name="Abogados", position=1, keywords="abogado\ndemanda", team=legal)
    conversation = deliver(web_channel, "Mi abogado os enviará la demanda")
    assert conversation.team == legal
    result = conversations_assign(conversation_ids=[conversation.pk], now=MORNING)
    assert result.assigned == {conversation.pk: lawyer.user_id}


def test_a_handed_over_conversation_still_opens_for_everyone(client, team, staff, web_channel):
    """Hardening item 1: the handover note has no sender; the page showed it with a 500."""
    conversation = new_conversations(web_channel, 1)[0]
    conversations_assign(conversation_ids=[conversation.pk], now=MORNING)
    shift_handover(team=team, now=EVENING)
    note = conversation.messages.get(direction=Message.Direction.NOTE)
    assert note.sender is None
    client.force_login(staff["bea"].user)
    page = client.get(f"/conversations/{conversation.pk}/")
    assert page.status_code == 200
    assert note.body in page.content.decode()
    assert "Mostrador" in page.content.decode()  # a note by the system is signed by it


def test_a_supervisors_manual_assignment_survives_the_handover(team, staff, web_channel):
    """A supervisor gives a conversation to Ana by hand: at the end of Ana's shift
    the rota tick leaves it with her (it used to pass it to Bea within a minute),
    until Ana answers it or someone reassigns it."""
    from inbox.services.conversations import conversation_assign
    from teams.services.assignment import rota_tick

    supervisor = UserFactory(username="sara", role="supervisor")
    kept, auto = new_conversations(web_channel, 2)
    conversation_assign(conversation=kept, assignee=staff["ana"].user, by=supervisor)
    conversations_assign(conversation_ids=[auto.pk], now=MORNING)
    auto.refresh_from_db()
    assert auto.assignee == staff["ana"].user

    rota_tick(now=EVENING)
    shift_handover(team=team, now=EVENING)
    kept.refresh_from_db()
    auto.refresh_from_db()
    assert kept.assignee == staff["ana"].user and kept.assignment_held
    assert not kept.events.filter(kind=ConversationEvent.Kind.HANDED_OVER).exists()
    assert auto.assignee == staff["bea"].user  # what the rota gave her still moves

    # Reassigned by hand to nobody, then the rota may move it again.
    conversation_assign(conversation=kept, assignee=None, by=supervisor)
    kept.refresh_from_db()
    assert not kept.assignment_held


def test_the_hold_ends_when_the_assignee_answers(team, staff, web_channel):
    from inbox.services.conversations import conversation_assign
    from inbox.services.replies import reply_create, reply_send

    supervisor = UserFactory(username="sara", role="supervisor")
    (kept,) = new_conversations(web_channel, 1)
    conversation_assign(conversation=kept, assignee=staff["ana"].user, by=supervisor)
    message = reply_create(conversation=kept, sender=staff["ana"].user, body="Hola, lo miramos.")
    reply_send(message_id=message.pk)
    kept.refresh_from_db()
    assert kept.assignee == staff["ana"].user and not kept.assignment_held
