"""SLA clocks: deadlines stored on the conversation, outcomes stored for the reports.

The metrics, as Zammad and Chatwoot define them:

- **first response**: from the first inbound message of the conversation to
  the first reply the network accepted;
- **next response**: from the first inbound message that arrives while no
  answer is owed (after a reply) to the next reply;
- **resolution**: from the first inbound message to the conversation resolved.

Only time while the policy's calendar is open counts. The conversation keeps
each due time, the nearest pending one (``sla_due_at``), the moment it turns at
risk (``sla_warn_at``) and its state; the sweeper (``sla_sweep``) moves states
forward and escalates. Each clock that stops writes an ``SlaOutcome``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from core import live
from core.db import rows_update
from core.queue import dispatch_on_commit
from inbox.models import Conversation
from protocols.business_time import Calendar, business_add, business_elapsed, parse_hours
from protocols.models import BusinessCalendar, SlaOutcome, SlaPolicy

SLA_FIELDS = [
    "sla_policy",
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "sla_due_at",
    "sla_warn_at",
    "sla_state",
]


def calendar_spec(calendar: BusinessCalendar) -> Calendar:
    return Calendar(
        time_zone=calendar.time_zone,
        always_open=calendar.always_open,
        hours=parse_hours(calendar.hours),
        holidays=frozenset(holiday.date for holiday in calendar.holidays.all()),
    )


class PolicyBook:
    """The active policies and their calendars, loaded once for a batch."""

    def __init__(self) -> None:
        self.policies = list(
            SlaPolicy.objects.filter(active=True).select_related("calendar").prefetch_related("calendar__holidays")
        )
        self._calendars: dict[int, Calendar] = {}

    def policy_for(self, conversation: Conversation) -> SlaPolicy | None:
        """The most specific policy: category and channel, then category, then channel, then neither."""
        best, best_rank = None, -1
        for policy in self.policies:
            if policy.category_id not in (None, conversation.category_id):
                continue
            if policy.channel_id not in (None, conversation.channel_id):
                continue
            rank = 2 * (policy.category_id is not None) + (policy.channel_id is not None)
            if rank > best_rank:
                best, best_rank = policy, rank
        return best

    def calendar(self, policy: SlaPolicy) -> Calendar:
        if policy.calendar_id not in self._calendars:
            self._calendars[policy.calendar_id] = calendar_spec(policy.calendar)
        return self._calendars[policy.calendar_id]


@dataclass(frozen=True)
class Clock:
    started_at: datetime
    due_at: datetime


def sla_recompute(conversation: Conversation, book: PolicyBook) -> bool:
    """Set the conversation's deadlines from its policy and times; return whether they changed.

    Pure with respect to the database: the caller saves ``SLA_FIELDS``.
    """
    before = tuple(getattr(conversation, f + "_id" if f == "sla_policy" else f) for f in SLA_FIELDS)
    policy = book.policy_for(conversation)
    open_ = conversation.status != Conversation.Status.RESOLVED
    if policy is None or not open_ or not conversation.requires_reply or conversation.first_inbound_at is None:
        conversation.sla_policy = policy if open_ else conversation.sla_policy
        conversation.first_response_due_at = conversation.next_response_due_at = None
        if not open_ or policy is None:
            conversation.resolution_due_at = None
        conversation.sla_due_at = conversation.sla_warn_at = None
        conversation.sla_state = Conversation.SlaState.NONE
    else:
        calendar = book.calendar(policy)
        conversation.sla_policy = policy
        clocks: list[Clock] = []
        if conversation.first_response_at is None:
            due = business_add(calendar, conversation.first_inbound_at, _minutes(policy.first_response_minutes))
            conversation.first_response_due_at = due
            conversation.next_response_due_at = None
            clocks.append(Clock(conversation.first_inbound_at, due))
        else:
            conversation.first_response_due_at = None
            if conversation.waiting_since and policy.next_response_minutes:
                due = business_add(calendar, conversation.waiting_since, _minutes(policy.next_response_minutes))
                conversation.next_response_due_at = due
                clocks.append(Clock(conversation.waiting_since, due))
            else:
                conversation.next_response_due_at = None
        if policy.resolution_minutes:
            due = business_add(calendar, conversation.first_inbound_at, _minutes(policy.resolution_minutes))
            conversation.resolution_due_at = due
            clocks.append(Clock(conversation.first_inbound_at, due))
        else:
            conversation.resolution_due_at = None
        if clocks:
            nearest = min(clocks, key=lambda clock: clock.due_at)
            span = business_elapsed(calendar, nearest.started_at, nearest.due_at)
            warn = business_add(calendar, nearest.started_at, span * policy.at_risk_percent / 100)
            if nearest.due_at != conversation.sla_due_at or conversation.sla_state == Conversation.SlaState.NONE:
                conversation.sla_state = Conversation.SlaState.OK  # the sweeper judges it within 30 s
            conversation.sla_due_at, conversation.sla_warn_at = nearest.due_at, warn
        else:
            conversation.sla_due_at = conversation.sla_warn_at = None
            conversation.sla_state = Conversation.SlaState.NONE
    after = tuple(getattr(conversation, f + "_id" if f == "sla_policy" else f) for f in SLA_FIELDS)
    return before != after


def _minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


def conversations_sla_update(*, conversations, book: PolicyBook | None = None, save: bool = True) -> int:
    """Recompute the deadlines of ``conversations`` and save them unless ``save``
    is false (the caller saves ``SLA_FIELDS``); the caller holds their locks."""
    book = book or PolicyBook()
    changed = [c for c in conversations if sla_recompute(c, book)]
    if changed and save:
        rows_update(Conversation, changed, SLA_FIELDS)
    return len(changed)


def conversation_sla_replied(*, conversation: Conversation, waited_since: datetime | None, at: datetime) -> None:
    """A reply was accepted at ``at``: stop the response clock it answers, then move on.

    The caller holds the conversation's lock and has already set
    ``first_response_at`` and ``waiting_since`` for this reply.
    """
    book = PolicyBook()
    policy = conversation.sla_policy
    if policy is not None:
        calendar = book.calendar(policy) if policy.active else calendar_spec(policy.calendar)
        if conversation.first_response_due_at and conversation.first_response_at == at:
            _outcome_record(
                conversation,
                policy,
                calendar,
                SlaOutcome.Metric.FIRST_RESPONSE,
                conversation.first_inbound_at,
                conversation.first_response_due_at,
                at,
            )
        elif conversation.next_response_due_at and waited_since:
            _outcome_record(
                conversation,
                policy,
                calendar,
                SlaOutcome.Metric.NEXT_RESPONSE,
                waited_since,
                conversation.next_response_due_at,
                at,
            )
    conversations_sla_update(conversations=[conversation], book=book)


def conversation_sla_resolved(*, conversation: Conversation, at: datetime) -> None:
    """The conversation was resolved: stop the resolution clock and clear the deadlines."""
    policy = conversation.sla_policy
    if policy is not None and conversation.resolution_due_at and conversation.first_inbound_at:
        _outcome_record(
            conversation,
            policy,
            calendar_spec(policy.calendar),
            SlaOutcome.Metric.RESOLUTION,
            conversation.first_inbound_at,
            conversation.resolution_due_at,
            at,
        )
    conversations_sla_update(conversations=[conversation])


def _outcome_record(conversation, policy, calendar, metric, started_at, due_at, completed_at) -> SlaOutcome:
    return SlaOutcome.objects.create(
        conversation=conversation,
        policy=policy,
        metric=metric,
        started_at=started_at,
        due_at=due_at,
        completed_at=completed_at,
        business_seconds=int(business_elapsed(calendar, started_at, completed_at).total_seconds()),
        breached=completed_at > due_at,
    )


@dataclass(frozen=True)
class SweepResult:
    at_risk: list[int]
    breached: list[int]


def sla_sweep(*, now: datetime | None = None) -> SweepResult:
    """Mark what is now overdue and what is now at risk, and owe each an escalation.

    Two set-based UPDATEs on partial indexes; each conversation moves forward
    once, so running sweeps in parallel or twice never escalates twice. The
    same UPDATE records the escalation owed (``sla_escalation_owed``); the
    escalation (events, alerts, e-mails) runs in its own task after commit, so
    a burst of deadlines never slows the next sweep down, and a sweep that
    finds escalations still owed (the broker was down) queues it again.
    """
    now = now or timezone.now()
    table = connection.ops.quote_name(Conversation._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET sla_state = %s, sla_escalation_owed = %s "  # noqa: S608
            "WHERE sla_state IN (%s, %s) AND sla_due_at <= %s RETURNING id",
            [Conversation.SlaState.BREACHED, True, Conversation.SlaState.OK, Conversation.SlaState.AT_RISK, now],
        )
        breached = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"UPDATE {table} SET sla_state = %s, sla_escalation_owed = %s "  # noqa: S608
            "WHERE sla_state = %s AND sla_warn_at <= %s RETURNING id",
            [Conversation.SlaState.AT_RISK, True, Conversation.SlaState.OK, now],
        )
        at_risk = [row[0] for row in cursor.fetchall()]
        # Open pages show these states (and count them): tell them after commit.
        live.conversations_changed([*breached, *at_risk])
        if breached or at_risk or Conversation.objects.filter(sla_escalation_owed=True).exists():
            from protocols.tasks import sla_escalations_settle_task

            dispatch_on_commit(sla_escalations_settle_task)
    return SweepResult(at_risk=at_risk, breached=breached)
