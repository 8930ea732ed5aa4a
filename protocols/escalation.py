"""Escalation: tell the right people, in the app and by e-mail, when a deadline
is at risk or breached and when a crisis item arrives (the CM's escalation rules)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from core.alerts import alerts_create
from core.models import Alert
from core.roles import Role
from inbox import events
from inbox.models import Conversation
from protocols.models import EscalationRule


def _texts(trigger: str, conversation: Conversation) -> str:
    who = conversation.contact.display_name or conversation.contact.handle
    if trigger == "at_risk":
        return _("Deadline at risk: %(who)s on %(channel)s") % {"who": who, "channel": conversation.channel.name}
    if trigger == "breached":
        return _("Deadline breached: %(who)s on %(channel)s") % {"who": who, "channel": conversation.channel.name}
    return _("Crisis: %(who)s on %(channel)s") % {"who": who, "channel": conversation.channel.name}


def _users_with_role(role: str) -> list:
    return list(get_user_model().objects.filter(is_active=True, groups__name=role).distinct())


def conversations_escalate(*, conversation_ids: list[int], trigger: str) -> int:
    """Alert whoever the active escalation rules name for ``trigger``; returns alerts created.

    Writes the conversation events, the in-app alerts and (after commit) one
    e-mail per recipient listing their conversations.
    """
    rules = list(EscalationRule.objects.filter(active=True, trigger=trigger))
    conversations = list(
        Conversation.objects.filter(pk__in=conversation_ids).select_related("assignee", "contact", "channel")
    )
    if trigger in ("at_risk", "breached"):
        log = events.Batch()
        for c in conversations:
            if trigger == "at_risk":
                log.sla_at_risk(conversation=c, due_at=c.sla_due_at)
            else:
                log.sla_breached(conversation=c, due_at=c.sla_due_at)
        log.save()
    if not rules:
        return 0
    groups: dict[str, list] = {}

    def with_role(role: str) -> list:
        if role not in groups:
            groups[role] = _users_with_role(role)
        return groups[role]

    alerts: list[Alert] = []
    for conversation in conversations:
        recipients: dict[int, tuple[Any, bool]] = {}
        for rule in rules:
            if rule.category_id and rule.category_id != conversation.category_id:
                continue
            if rule.target == EscalationRule.Target.ASSIGNEE:
                people = [conversation.assignee] if conversation.assignee else []
                if not people:  # nobody holds it: the supervisors must know
                    people = with_role(Role.SUPERVISOR)
            elif rule.target == EscalationRule.Target.SUPERVISORS:
                people = with_role(Role.SUPERVISOR)
            else:
                people = with_role(Role.COMMUNITY_MANAGER)
            for person in people:
                email_before = recipients.get(person.pk, (person, False))[1]
                recipients[person.pk] = (person, email_before or rule.by_email)
        text = _texts(trigger, conversation)[:300]
        for person, by_email in recipients.values():
            alerts.append(
                Alert(
                    recipient=person,
                    kind=trigger,
                    conversation=conversation,
                    text=text,
                    email=by_email and bool(person.email),
                )
            )
    alerts_create(alerts=alerts)
    return len(alerts)


def sla_escalations_settle(*, limit: int = 500) -> int:
    """Escalate the deadlines the sweeper flagged and nobody has told yet; returns how many.

    Each conversation is claimed under its row lock and its debt cleared in
    the transaction that writes the events and alerts: settled exactly once,
    however many times this runs. A conversation answered in the meantime
    (no longer at risk or overdue) is settled without an alert.
    """
    settled = 0
    while True:
        with transaction.atomic():
            owed = list(
                Conversation.objects.select_for_update(skip_locked=True)
                .filter(sla_escalation_owed=True)
                .order_by("id")
                .values_list("pk", "sla_state")[:limit]
            )
            if not owed:
                return settled
            Conversation.objects.filter(pk__in=[pk for pk, _state in owed]).update(sla_escalation_owed=False)
            for trigger in (Conversation.SlaState.BREACHED, Conversation.SlaState.AT_RISK):
                ids = [pk for pk, state in owed if state == trigger]
                if ids:
                    conversations_escalate(conversation_ids=ids, trigger=str(trigger))
            settled += len(owed)
