"""Deadlines from the protocol: set on ingest, stopped by replies and resolution, swept and escalated."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.models import Alert
from inbox.models import Conversation, ConversationEvent
from inbox.services.conversations import conversation_assign, conversation_resolve
from inbox.services.replies import reply_create, reply_send
from protocols.business_time import Calendar, business_add, parse_hours
from protocols.models import BusinessCalendar, Category, EscalationRule, SlaOutcome, SlaPolicy
from tests.protocols.helpers import deliver
from tests.protocols.helpers import sweep as sla_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def protocol(default_protocol):
    return {c.slug: c for c in Category.objects.all()}


def _reply(conversation, user, text="Lo sentimos, lo revisamos ahora mismo."):
    message = reply_create(conversation=conversation, sender=user, body=text)
    reply_send(message_id=message.pk)
    return Conversation.objects.get(pk=conversation.pk)


def test_a_complaint_gets_its_deadline_from_its_policy(protocol, fake_channel):
    at = timezone.now() - timedelta(minutes=10)
    conversation = deliver(fake_channel, "Pongo una queja: me habéis cobrado dos veces", at=at)
    assert conversation.category.slug == "queja"
    assert conversation.sla_policy.name == "Queja"
    assert conversation.first_response_due_at == at + timedelta(minutes=60)
    assert conversation.sla_due_at == conversation.first_response_due_at
    assert conversation.sla_warn_at == at + timedelta(minutes=45)
    assert conversation.sla_state == Conversation.SlaState.OK


def test_a_channel_specific_policy_wins(protocol, fake_channel):
    always = BusinessCalendar.objects.get(always_open=True)
    SlaPolicy.objects.create(
        name="Quejas en el canal de pruebas",
        category=protocol["queja"],
        channel=fake_channel,
        calendar=always,
        first_response_minutes=15,
    )
    at = timezone.now()
    conversation = deliver(fake_channel, "queja", at=at)
    assert conversation.first_response_due_at == at + timedelta(minutes=15)


def test_business_hours_policy_waits_for_opening_time(protocol, fake_channel):
    shop = BusinessCalendar.objects.get(always_open=False)
    saturday_night = timezone.datetime(2026, 11, 28, 23, 0, tzinfo=shop_zone(shop))
    conversation = deliver(fake_channel, "Una sugerencia: abrid los domingos", at=saturday_night)
    assert conversation.category.slug == "sugerencia"
    spec = Calendar(always_open=False, time_zone=shop.time_zone, hours=parse_hours(shop.hours))
    assert conversation.first_response_due_at == business_add(spec, saturday_night, timedelta(hours=8))
    assert conversation.first_response_due_at.astimezone(shop_zone(shop)).date().isoformat() == "2026-11-30"


def shop_zone(calendar):
    from zoneinfo import ZoneInfo

    return ZoneInfo(calendar.time_zone)


def test_comments_need_no_reply_and_get_no_deadline(protocol, fake_channel):
    conversation = deliver(fake_channel, "¡Gracias! Felicidades por el aniversario")
    assert conversation.category.slug == "comentario"
    assert conversation.requires_reply is False
    assert conversation.sla_state == Conversation.SlaState.NONE


def test_first_and_next_response_and_resolution_are_measured(protocol, fake_channel, gestor):
    start = timezone.now() - timedelta(minutes=30)
    conversation = deliver(fake_channel, "¿Hasta qué hora abrís hoy?", thread="h", at=start)
    assert conversation.category.slug == "consulta"

    conversation = _reply(conversation, gestor)
    first = SlaOutcome.objects.get(conversation=conversation, metric=SlaOutcome.Metric.FIRST_RESPONSE)
    assert first.breached is False
    assert 30 * 60 <= first.business_seconds < 32 * 60
    assert conversation.first_response_due_at is None
    assert conversation.next_response_due_at is None

    again = timezone.now()
    conversation = deliver(fake_channel, "¿Y el domingo?", thread="h", at=again)
    assert conversation.next_response_due_at == again + timedelta(hours=4)
    conversation = _reply(conversation, gestor, "El domingo abrimos de 9 a 14.")
    assert SlaOutcome.objects.filter(conversation=conversation, metric=SlaOutcome.Metric.NEXT_RESPONSE).count() == 1

    conversation_resolve(conversation=conversation, by=gestor)
    conversation.refresh_from_db()
    resolution = SlaOutcome.objects.get(conversation=conversation, metric=SlaOutcome.Metric.RESOLUTION)
    assert resolution.breached is False
    assert conversation.sla_state == Conversation.SlaState.NONE
    assert conversation.sla_due_at is None


def test_a_late_first_response_is_recorded_as_breached(protocol, fake_channel, gestor):
    conversation = deliver(fake_channel, "queja", at=timezone.now() - timedelta(hours=3))
    conversation = _reply(conversation, gestor)
    assert SlaOutcome.objects.get(conversation=conversation, metric="first_response").breached is True


def test_the_sweeper_warns_the_assignee_then_the_supervisors(protocol, fake_channel, gestor, supervisor, cm):
    at = timezone.now()
    conversation = deliver(fake_channel, "queja", at=at)
    conversation_assign(conversation=conversation, assignee=gestor, by=supervisor)

    assert sla_sweep(now=at + timedelta(minutes=44)).at_risk == []
    result = sla_sweep(now=at + timedelta(minutes=46))
    assert result.at_risk == [conversation.pk]
    assert list(Alert.objects.values_list("recipient__username", "kind")) == [("gestor1", "at_risk")]

    result = sla_sweep(now=at + timedelta(minutes=61))
    assert result.breached == [conversation.pk]
    assert set(Alert.objects.filter(kind="breached").values_list("recipient__username", flat=True)) == {"supervisor"}
    conversation.refresh_from_db()
    assert conversation.sla_state == Conversation.SlaState.BREACHED
    kinds = list(conversation.events.values_list("kind", flat=True))
    assert ConversationEvent.Kind.SLA_AT_RISK in kinds and ConversationEvent.Kind.SLA_BREACHED in kinds

    # Each step happens once.
    assert sla_sweep(now=at + timedelta(minutes=90)) == type(result)(at_risk=[], breached=[])
    assert Alert.objects.count() == 2


def test_breach_alerts_go_by_email_after_commit(protocol, fake_channel, supervisor, django_capture_on_commit_callbacks):
    supervisor.email = "marta@example.com"
    supervisor.save()
    at = timezone.now() - timedelta(hours=2)
    conversation = deliver(fake_channel, "queja", at=at)
    sla_sweep()
    # Unassigned: the at-risk warning falls to the supervisors too; one mail each sweep.
    assert len(mail.outbox) == 1
    assert "marta@example.com" in mail.outbox[0].to
    assert f"/conversations/{conversation.pk}/" in mail.outbox[0].body


def test_a_crisis_alerts_the_community_manager_at_once(protocol, fake_channel, cm):
    conversation = deliver(fake_channel, "Mi hijo ha tenido un accidente en vuestra tienda")
    assert conversation.category.slug == "crisis"
    alert = Alert.objects.get(kind="crisis")
    assert alert.recipient == cm
    assert alert.conversation == conversation


def test_escalation_rules_are_the_cm_s(protocol, fake_channel, gestor, supervisor):
    EscalationRule.objects.filter(trigger="breached").update(active=False)
    at = timezone.now() - timedelta(hours=2)
    deliver(fake_channel, "queja", at=at)
    sla_sweep()
    assert not Alert.objects.filter(kind="breached").exists()


def test_reopening_restarts_the_clock(protocol, fake_channel, gestor):
    from inbox.services.conversations import conversation_reopen

    conversation = deliver(fake_channel, "queja")
    conversation_resolve(conversation=conversation, by=gestor)
    conversation = conversation_reopen(conversation=Conversation.objects.get(pk=conversation.pk), by=gestor)
    assert conversation.sla_state == Conversation.SlaState.OK
    assert conversation.first_response_due_at is not None


def test_the_beat_sweeps_often_enough_to_flag_a_breach_within_a_minute(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-sla"]
    assert schedule["task"] == "protocols.tasks.sla_sweep_task"
    assert schedule["schedule"] <= timedelta(seconds=30)


def test_with_the_broker_down_every_breach_is_escalated_exactly_once_when_it_is_back(
    protocol, fake_channel, supervisor, monkeypatch
):
    """The sweep records the escalation it owes in the same UPDATE; a sweep
    after the broker is back settles it, and no later sweep repeats it."""
    from celery.app.task import Task

    from core import queue

    at = timezone.now() - timedelta(hours=3)
    late = [deliver(fake_channel, f"queja número {n}", at=at) for n in range(3)]

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    with monkeypatch.context() as down:
        down.setattr(Task, "apply_async", broker_down)
        down.setattr(queue, "_broker_down_until", 0.0)
        assert sorted(sla_sweep().breached) == sorted(c.pk for c in late)
        # Nothing escalated, and the debt is on record.
        assert not Alert.objects.exists()
        assert Conversation.objects.filter(sla_escalation_owed=True).count() == 3
        assert sla_sweep().breached == []  # a second sweep while down changes nothing
        assert not Alert.objects.exists()

    queue.reset()  # the broker is back
    assert sla_sweep().breached == []
    assert sorted(Alert.objects.filter(kind="breached").values_list("conversation_id", flat=True)) == sorted(
        c.pk for c in late
    )
    for conversation in late:
        assert conversation.events.filter(kind=ConversationEvent.Kind.SLA_BREACHED).count() == 1
    sla_sweep()
    sla_sweep(now=timezone.now() + timedelta(hours=1))
    assert Alert.objects.filter(kind="breached").count() == 3
    assert not Conversation.objects.filter(sla_escalation_owed=True).exists()
