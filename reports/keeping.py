"""Keeping the report's tables current: the writers the lifecycle hooks call,
and ``reports_rebuild`` that fills them from the raw tables.

- ``ConversationFact``: inserted (or refreshed) when a conversation receives
  messages (``CLASSIFIED``), its first response recorded at ``REPLIED``, the
  answer it is owed kept at every step.
- ``HourlyVolume``: inbound messages per UTC hour and channel, at ``CLASSIFIED``.
- ``DailyCount``: replies (``REPLIED``), resolutions (``RESOLVED``) and the SLA
  outcomes the protocol records at those steps.

Every write is one set-based upsert that adds to what is there; rows are
written in key order so concurrent batches lock them in the same order.
``reports_rebuild`` runs ``reports.sources.RAW`` — the reference computation
the tests compare with — over all time into the same tables.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from inbox.models import Conversation, Message
from protocols.business_time import Calendar, business_elapsed, open_intervals
from protocols.models import BusinessCalendar, SlaOutcome
from protocols.sla import calendar_spec
from reports.cache import everything_touch, weeks_touch
from reports.models import ConversationFact, DailyCount, HourlyVolume
from reports.weeks import business_zone

ANY, NONE = DailyCount.ANY, DailyCount.NONE

# The business-hours calendar, re-read at most this often (ingest calls it per batch).
_CALENDAR_TTL = 60.0
_hours: dict[str, tuple[float, int | None, Calendar | None]] = {}
_policies: dict[int, tuple[float, Calendar]] = {}


def hours_calendar_id() -> int | None:
    """The calendar that says what "business hours" are for ``off_hours``: the
    one named by ``MOSTRADOR_REPORT_HOURS_CALENDAR``, else the first (lowest id)
    that is not 24/7; None when every calendar is 24/7 (nothing is off hours)."""
    return _hours_calendar()[0]


def hours_calendar() -> Calendar | None:
    return _hours_calendar()[1]


def _hours_calendar() -> tuple[int | None, Calendar | None]:
    cached = _hours.get("calendar")
    if cached and time.monotonic() - cached[0] < _CALENDAR_TTL:
        return cached[1], cached[2]
    calendars = BusinessCalendar.objects.prefetch_related("holidays").order_by("id")
    name = getattr(settings, "MOSTRADOR_REPORT_HOURS_CALENDAR", "")
    chosen = calendars.filter(name=name).first() if name else calendars.filter(always_open=False).first()
    spec = calendar_spec(chosen) if chosen else None
    _hours["calendar"] = (time.monotonic(), chosen.pk if chosen else None, spec)
    return (chosen.pk if chosen else None), spec


def hours_calendar_forget() -> None:
    """Read the calendars again next time (tests, calendar edits)."""
    _hours.clear()
    _policies.clear()


class OffHours:
    """``off_hours`` for many moments: the opening intervals of their span are built once."""

    def __init__(self, calendar: Calendar | None, moments: list[datetime]) -> None:
        self.calendar = calendar
        self.intervals: list[tuple[datetime, datetime]] = []
        if calendar is not None and moments:
            self.intervals = open_intervals(calendar, min(moments), max(moments) + timedelta(seconds=1))
        self.starts = [start for start, _end in self.intervals]

    def __call__(self, moment: datetime) -> bool:
        if self.calendar is None:
            return False
        i = bisect_right(self.starts, moment) - 1
        return not (i >= 0 and moment < self.intervals[i][1])


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _day(moment: datetime) -> date:
    return moment.astimezone(business_zone()).date()


def _owed_since(conversation: Conversation) -> datetime | None:
    if conversation.requires_reply and conversation.status != Conversation.Status.RESOLVED:
        return conversation.waiting_since
    return None


def _values(rows: list[tuple], width: int) -> str:
    row = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([row] * len(rows))


# --- Writers the hooks call ---------------------------------------------------------------


def _policy_calendars(policy_ids: set[int]) -> dict[int, Calendar]:
    """The SLA calendar of each policy (re-read at most every minute: ingest asks per batch)."""
    from protocols.models import SlaPolicy

    now = time.monotonic()
    missing = {pk for pk in policy_ids if pk not in _policies or now - _policies[pk][0] >= _CALENDAR_TTL}
    if missing:
        policies = SlaPolicy.objects.filter(pk__in=missing).select_related("calendar")
        for policy in policies.prefetch_related("calendar__holidays"):
            _policies[policy.pk] = (now, calendar_spec(policy.calendar))
    return {pk: _policies[pk][1] for pk in policy_ids if pk in _policies}


def _response_times(conversation: Conversation, calendars: dict[int, Calendar]) -> tuple[float | None, float | None]:
    """First response time in calendar seconds, and in business seconds under the
    conversation's SLA calendar (calendar seconds without a policy)."""
    first_in, first_out = conversation.first_inbound_at, conversation.first_response_at
    if first_in is None or first_out is None:
        return None, None
    seconds = (first_out - first_in).total_seconds()
    calendar = calendars.get(conversation.sla_policy_id) if conversation.sla_policy_id else None
    business = business_elapsed(calendar, first_in, first_out).total_seconds() if calendar else seconds
    return seconds, business


_FACT_FIELDS = [
    "conversation_id", "channel_id", "category_id", "first_inbound_at", "requires_reply", "off_hours", "owed_since",
    "first_response_at", "response_seconds", "response_business_seconds",
]  # fmt: skip


def _facts_save(rows: list[tuple]) -> None:
    """``facts_upsert`` through the ORM (databases other than PostgreSQL)."""
    ConversationFact.objects.bulk_create(
        [ConversationFact(**dict(zip(_FACT_FIELDS, row, strict=True))) for row in rows],
        update_conflicts=True,
        unique_fields=["conversation"],
        update_fields=[f for f in _FACT_FIELDS if f != "conversation_id"],
    )


def facts_upsert(*, conversations: list[Conversation]) -> None:
    """Insert or refresh the facts of conversations that just received messages
    (a new message may reclassify it: category, reply needed, SLA calendar)."""
    outside = OffHours(hours_calendar(), [c.first_inbound_at for c in conversations if c.first_inbound_at])
    answered = {c.sla_policy_id for c in conversations if c.first_response_at and c.sla_policy_id}
    calendars = _policy_calendars(answered) if answered else {}
    rows = sorted(
        (
            c.pk,
            c.channel_id,
            c.category_id,
            c.first_inbound_at,
            c.requires_reply,
            outside(c.first_inbound_at),
            _owed_since(c),
            c.first_response_at,
            *_response_times(c, calendars),
        )
        for c in conversations
        if c.first_inbound_at is not None
    )
    if not rows:
        return
    if connection.vendor != "postgresql":
        _facts_save(rows)
        return
    table = ConversationFact._meta.db_table
    types = ["int", "int", "int", "timestamptz", "bool", "bool", "timestamptz", "timestamptz", "float8", "float8"]
    with connection.cursor() as cursor:
        # One array per column (unnest), not a placeholder per value: ingest pays for this statement.
        cursor.execute(
            f"INSERT INTO {table} AS t (conversation_id, channel_id, category_id, first_inbound_at, requires_reply, "  # noqa: S608
            "off_hours, owed_since, first_response_at, response_seconds, response_business_seconds) "
            f"SELECT * FROM unnest({', '.join(f'%s::{t}[]' for t in types)}) "
            "ON CONFLICT (conversation_id) DO UPDATE SET channel_id = EXCLUDED.channel_id, "
            "category_id = EXCLUDED.category_id, first_inbound_at = EXCLUDED.first_inbound_at, "
            "requires_reply = EXCLUDED.requires_reply, off_hours = EXCLUDED.off_hours, "
            "owed_since = EXCLUDED.owed_since, first_response_at = EXCLUDED.first_response_at, "
            "response_seconds = EXCLUDED.response_seconds, "
            "response_business_seconds = EXCLUDED.response_business_seconds "
            # A follow-up that changes nothing the report reads writes nothing.
            "WHERE (t.channel_id, t.category_id, t.first_inbound_at, t.requires_reply, t.off_hours, t.owed_since, "
            "t.first_response_at, t.response_seconds, t.response_business_seconds) IS DISTINCT FROM "
            "(EXCLUDED.channel_id, EXCLUDED.category_id, EXCLUDED.first_inbound_at, EXCLUDED.requires_reply, "
            "EXCLUDED.off_hours, EXCLUDED.owed_since, EXCLUDED.first_response_at, EXCLUDED.response_seconds, "
            "EXCLUDED.response_business_seconds)",
            [list(column) for column in zip(*rows, strict=True)],
        )


def volume_add(*, messages: list[Message]) -> None:
    """Count new inbound messages in their hour, and those outside business hours."""
    is_off = OffHours(hours_calendar(), [m.created_at for m in messages])
    inbound: Counter[tuple[datetime, int]] = Counter()
    outside: Counter[tuple[datetime, int]] = Counter()
    for message in messages:
        key = (_hour(message.created_at), message.channel_id)
        inbound[key] += 1
        if is_off(message.created_at):
            outside[key] += 1
    keys = sorted(inbound)
    if not keys:
        return
    if connection.vendor != "postgresql":
        from reports.portable import add_counts

        increments = {k: {"inbound": inbound[k], "inbound_off_hours": outside[k]} for k in keys}
        add_counts(HourlyVolume, ["hour", "channel_id"], increments)
        return
    table = HourlyVolume._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS t (hour, channel_id, inbound, inbound_off_hours) "  # noqa: S608
            "SELECT * FROM unnest(%s::timestamptz[], %s::int[], %s::int[], %s::int[]) "
            "ON CONFLICT (hour, channel_id) DO UPDATE SET inbound = t.inbound + EXCLUDED.inbound, "
            "inbound_off_hours = t.inbound_off_hours + EXCLUDED.inbound_off_hours",
            [[k[0] for k in keys], [k[1] for k in keys], [inbound[k] for k in keys], [outside[k] for k in keys]],
        )


def counts_add(rows: list[tuple[date, int, int, int, str]]) -> None:
    """Add one to each (day, channel, category, person, kind) listed."""
    counted = Counter(rows)
    if not counted:
        return
    weeks_touch(datetime.combine(day, datetime.min.time(), business_zone()) for day, *_rest in counted)
    values = [(*key, n) for key, n in sorted(counted.items())]
    if connection.vendor != "postgresql":
        from reports.portable import add_counts

        fields = ["day", "channel_id", "category_id", "user_id", "kind"]
        add_counts(DailyCount, fields, {key: {"count": n} for key, n in counted.items()})
        return
    table = DailyCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS t (day, channel_id, category_id, user_id, kind, count) "  # noqa: S608
            f"VALUES {_values(values, 6)} ON CONFLICT (day, kind, channel_id, category_id, user_id) "
            "DO UPDATE SET count = t.count + EXCLUDED.count",
            [value for row in values for value in row],
        )


def _outcome_rows(conversation: Conversation, completed_at: datetime) -> list[tuple[date, int, int, int, str]]:
    """The SLA outcomes the protocol just recorded, each per category and per person."""
    rows = []
    outcomes = SlaOutcome.objects.filter(conversation_id=conversation.pk, completed_at=completed_at)
    for metric, due_at, breached, category_id in outcomes.values_list(
        "metric", "due_at", "breached", "policy__category_id"
    ):
        kind = f"{'breached' if breached else 'met'}:{metric}"
        day = _day(due_at)
        # The category of the policy that set the deadline (a later reclassification does not move it).
        rows.append((day, conversation.channel_id, category_id or NONE, ANY, kind))
        rows.append((day, conversation.channel_id, ANY, conversation.assignee_id or NONE, kind))
    return rows


def reply_record(*, conversation: Conversation, at: datetime) -> None:
    """A reply was accepted at ``at``: the first response (if it is), the reply and its SLA outcome."""
    sender_id = (
        Message.objects.filter(conversation_id=conversation.pk, direction=Message.Direction.OUT, sent_at=at)
        .order_by("id")
        .values_list("sender_id", flat=True)
        .first()
    )
    facts = ConversationFact.objects.filter(conversation_id=conversation.pk)
    if conversation.first_response_at == at and conversation.first_inbound_at is not None:
        policy = conversation.sla_policy
        calendars = {policy.pk: calendar_spec(policy.calendar)} if policy is not None else {}
        seconds, business = _response_times(conversation, calendars)
        weeks_touch([conversation.first_inbound_at])
        facts.update(
            first_response_at=at,
            first_responder_id=sender_id,
            response_seconds=seconds,
            response_business_seconds=business,
            owed_since=_owed_since(conversation),
        )
    else:
        facts.update(owed_since=_owed_since(conversation))
    rows = [(_day(at), conversation.channel_id, ANY, sender_id or NONE, "reply")]
    counts_add(rows + _outcome_rows(conversation, at))


def resolution_record(*, conversation: Conversation, at: datetime, by_id: int | None) -> None:
    ConversationFact.objects.filter(conversation_id=conversation.pk).update(owed_since=None)
    rows = [(_day(at), conversation.channel_id, ANY, by_id or NONE, "resolved")]
    counts_add(rows + _outcome_rows(conversation, at))


def owed_refresh(*, conversation: Conversation) -> None:
    ConversationFact.objects.filter(conversation_id=conversation.pk).update(owed_since=_owed_since(conversation))


# --- The rebuild ----------------------------------------------------------------------------


def reports_rebuild() -> dict[str, int]:
    """Refill the report's tables from the raw tables (existing data, or after
    changing ``TIME_ZONE`` or the business-hours calendar); returns row counts.

    Runs in one transaction holding exclusive locks on the three tables, so the
    hooks of concurrent ingest wait for it instead of writing into the gap.
    """
    from reports.sources import RAW

    hours_calendar_forget()
    everything_touch()
    if connection.vendor != "postgresql":
        from reports.portable import rebuild

        with transaction.atomic():
            rebuild()
        return {m._meta.db_table: m.objects.count() for m in (ConversationFact, HourlyVolume, DailyCount)}
    calendar = hours_calendar()
    tables = [m._meta.db_table for m in (ConversationFact, HourlyVolume, DailyCount)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
        sql, params = RAW.facts(calendar=calendar)
        cursor.execute(
            f"INSERT INTO {tables[0]} (conversation_id, channel_id, category_id, first_inbound_at, "  # noqa: S608
            "requires_reply, first_response_at, first_responder_id, response_seconds, response_business_seconds, "
            "off_hours, owed_since) SELECT conversation_id, channel_id, category_id, first_inbound_at, "
            "requires_reply, first_response_at, first_responder_id, response_seconds, response_business_seconds, "
            f"off_hours, owed_since FROM ({sql}) AS f",
            params,
        )
        sql, params = RAW.volume(calendar=calendar)
        cursor.execute(
            f"INSERT INTO {tables[1]} (hour, channel_id, inbound, inbound_off_hours) "  # noqa: S608
            f"SELECT hour, channel_id, inbound, inbound_off_hours FROM ({sql}) AS v",
            params,
        )
        sql, params = RAW.counts()
        cursor.execute(
            f"INSERT INTO {tables[2]} (day, channel_id, category_id, user_id, kind, count) "  # noqa: S608
            f"SELECT day, channel_id, category_id, user_id, kind, count FROM ({sql}) AS k",
            params,
        )
        counts = {}
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts
