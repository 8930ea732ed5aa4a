"""Where the report's rows come from: the kept tables (``KEPT``), or the raw
tables computed on the spot (``RAW``: the reference computation, which
``reports_rebuild`` also uses to fill the kept tables).

Both give the same relations, so the report's aggregate queries
(``reports/selectors.py``) run unchanged on either:

- ``facts``: one row per conversation whose first inbound message is in the window;
- ``owed``: conversations owed an answer now, waiting since before ``hi``;
- ``volume``: inbound messages per UTC hour and channel (and how many off hours);
- ``counts``: per local day and channel, replies and resolutions per person,
  SLA outcomes per category and per person (``DailyCount``'s layout).

Each method returns ``(sql, params)``; a window bound left out means all time.
"""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.utils import timezone

from protocols.business_time import Calendar
from reports.models import DailyCount

FACT_COLUMNS = (
    "conversation_id, channel_id, category_id, first_inbound_at, requires_reply, first_response_at, "
    "first_responder_id, response_seconds, response_business_seconds, off_hours, owed_since"
)


def _where(conditions: list[tuple[str, object]]) -> tuple[str, list]:
    clauses = [sql for sql, value in conditions if value is not None]
    params = [value for _sql, value in conditions if value is not None]
    return (" AND " + " AND ".join(clauses) if clauses else ""), params


class Kept:
    name = "kept"

    def facts(self, *, calendar=None, lo=None, hi=None, channels=None, lean=False) -> tuple[str, list]:
        where, params = _where(
            [("first_inbound_at >= %s", lo), ("first_inbound_at < %s", hi), ("channel_id = ANY(%s)", channels)]
        )
        return f"SELECT {FACT_COLUMNS} FROM reports_conversationfact WHERE TRUE{where}", params  # noqa: S608

    def owed(self, *, hi, channels=None) -> tuple[str, list]:
        where, params = _where([("owed_since < %s", hi), ("channel_id = ANY(%s)", channels)])
        return (
            "SELECT conversation_id, channel_id, owed_since FROM reports_conversationfact "  # noqa: S608
            f"WHERE owed_since IS NOT NULL{where}",
            params,
        )

    def volume(self, *, calendar=None, lo=None, hi=None, channels=None) -> tuple[str, list]:
        where, params = _where([("hour >= %s", lo), ("hour < %s", hi), ("channel_id = ANY(%s)", channels)])
        return (
            "SELECT hour, channel_id, inbound, inbound_off_hours FROM reports_hourlyvolume "  # noqa: S608
            f"WHERE TRUE{where}",
            params,
        )

    def counts(self, *, lo=None, hi=None, channels=None, sla_only=False) -> tuple[str, list]:
        where, params = _where([("day >= %s", _date(lo)), ("day < %s", _date(hi)), ("channel_id = ANY(%s)", channels)])
        if sla_only:  # the per-category rows of SLA outcomes
            where += f" AND user_id = {DailyCount.ANY} AND kind NOT IN ('reply', 'resolved')"
        return (
            "SELECT day, channel_id, category_id, user_id, kind, count FROM reports_dailycount "  # noqa: S608
            f"WHERE TRUE{where}",
            params,
        )


def _open_at(column: str, calendar: Calendar | None) -> tuple[str, list]:
    """SQL true when ``column`` falls in the business-hours calendar's opening
    hours (``protocols.business_time.is_open``), as one inline expression on the
    local weekday and time; true for every row when there is no such calendar."""
    if calendar is None or calendar.always_open:
        return "TRUE", []
    local = f"({column} AT TIME ZONE %s)"
    days, params = [], []
    for weekday, intervals in sorted(calendar.hours.items()):
        ranges = []
        for start, end in intervals:
            if end == time(0):
                ranges.append(f"{local}::time >= %s")
                params += [calendar.time_zone, start]
            else:
                ranges.append(f"({local}::time >= %s AND {local}::time < %s)")
                params += [calendar.time_zone, start, calendar.time_zone, end]
        if ranges:
            days.append(f"WHEN {weekday + 1} THEN " + " OR ".join(ranges))
    if not days:
        return "FALSE", []
    sql = (
        f"(CASE extract(isodow FROM {local})::int {' '.join(days)} ELSE FALSE END "
        f"AND NOT ({local}::date = ANY(%s::date[])))"
    )
    return sql, [calendar.time_zone, *params, calendar.time_zone, sorted(calendar.holidays)]


def _date(moment: datetime | None):
    """A window bound at local midnight as the local date it starts."""
    if moment is None:
        return None
    from reports.weeks import business_zone

    return moment.astimezone(business_zone()).date()


class Raw:
    name = "raw"

    def facts(self, *, calendar=None, lo=None, hi=None, channels=None, lean=False) -> tuple[str, list]:
        """``lean``: only what the headline figures read (counts and the first
        response in calendar seconds); the other columns are NULL."""
        where, params = _where(
            [("c.first_inbound_at >= %s", lo), ("c.first_inbound_at < %s", hi), ("c.channel_id = ANY(%s)", channels)]
        )
        if lean:
            return (
                "SELECT c.id AS conversation_id, c.channel_id, c.category_id, c.first_inbound_at, c.requires_reply, "  # noqa: S608
                "c.first_response_at, NULL::int AS first_responder_id, "
                "EXTRACT(EPOCH FROM c.first_response_at - c.first_inbound_at)::float8 AS response_seconds, "
                "NULL::float8 AS response_business_seconds, NULL::bool AS off_hours, NULL::timestamptz AS owed_since "
                f"FROM inbox_conversation c WHERE c.first_inbound_at IS NOT NULL{where}",
                params,
            )
        opened, open_params = _open_at("c.first_inbound_at", calendar)
        sql = f"""
            SELECT c.id AS conversation_id, c.channel_id, c.category_id, c.first_inbound_at, c.requires_reply,
                   c.first_response_at, fr.sender_id AS first_responder_id,
                   EXTRACT(EPOCH FROM c.first_response_at - c.first_inbound_at)::float8 AS response_seconds,
                   CASE WHEN c.first_response_at IS NULL THEN NULL
                        WHEN cal.id IS NULL OR cal.always_open
                             THEN EXTRACT(EPOCH FROM c.first_response_at - c.first_inbound_at)::float8
                        WHEN c.first_response_at <= c.first_inbound_at THEN 0::float8
                        ELSE coalesce(bt.seconds, 0)::float8
                   END AS response_business_seconds,
                   NOT {opened} AS off_hours,
                   CASE WHEN c.requires_reply AND c.status <> 'resolved' THEN c.waiting_since END AS owed_since
              FROM inbox_conversation c
              LEFT JOIN protocols_slapolicy p ON p.id = c.sla_policy_id
              LEFT JOIN protocols_businesscalendar cal ON cal.id = p.calendar_id
              LEFT JOIN LATERAL (
                    SELECT m.sender_id FROM inbox_message m
                     WHERE m.conversation_id = c.id AND m.direction = 'out' AND m.sent_at = c.first_response_at
                     ORDER BY m.id LIMIT 1) fr ON TRUE
              -- Business time: the calendar's opening intervals overlapped with the wait.
              LEFT JOIN LATERAL (
                    SELECT sum(EXTRACT(EPOCH FROM least(iv.e, c.first_response_at)
                                              - greatest(iv.s, c.first_inbound_at))) AS seconds
                      FROM intervals iv
                     WHERE iv.calendar_id = cal.id AND iv.e > c.first_inbound_at AND iv.s < c.first_response_at) bt
                   ON NOT cal.always_open AND c.first_response_at > c.first_inbound_at
             WHERE c.first_inbound_at IS NOT NULL{where}"""  # noqa: S608
        # The intervals of every calendar from the window's start (or the first conversation) until now.
        since = "%s::timestamptz" if lo is not None else "(SELECT min(first_inbound_at) FROM inbox_conversation)"
        intervals = f"""
            WITH intervals AS MATERIALIZED (
                SELECT cal.id AS calendar_id, i.d, i.s, i.e
                  FROM protocols_businesscalendar cal,
                       reports_open_intervals(cal.id::int, {since} - interval '1 day', %s) i
                 WHERE NOT cal.always_open)"""  # noqa: S608
        until = timezone.now()  # no reply is later than now
        return intervals + sql, [*([lo] if lo is not None else []), until, *open_params, *params]

    def owed(self, *, hi, channels=None) -> tuple[str, list]:
        where, params = _where([("c.waiting_since < %s", hi), ("c.channel_id = ANY(%s)", channels)])
        return (
            "SELECT c.id AS conversation_id, c.channel_id, c.waiting_since AS owed_since FROM inbox_conversation c "  # noqa: S608
            f"WHERE c.requires_reply AND c.status <> 'resolved' AND c.waiting_since IS NOT NULL{where}",
            params,
        )

    def volume(self, *, calendar=None, lo=None, hi=None, channels=None) -> tuple[str, list]:
        where, params = _where(
            [("m.created_at >= %s", lo), ("m.created_at < %s", hi), ("m.channel_id = ANY(%s)", channels)]
        )
        opened, open_params = _open_at("m.created_at", calendar)
        sql = f"""
            SELECT date_trunc('hour', m.created_at, 'UTC') AS hour, m.channel_id, count(*)::int AS inbound,
                   (count(*) FILTER (WHERE NOT {opened}))::int AS inbound_off_hours
              FROM inbox_message m WHERE m.direction = 'in'{where}
             GROUP BY 1, 2"""  # noqa: S608
        return sql, [*open_params, *params]

    def counts(self, *, lo=None, hi=None, channels=None, sla_only=False) -> tuple[str, list]:
        zone = settings.TIME_ZONE
        any_, none = DailyCount.ANY, DailyCount.NONE
        replies, p1 = _where([("m.sent_at >= %s", lo), ("m.sent_at < %s", hi), ("m.channel_id = ANY(%s)", channels)])
        resolved, p2 = _where(
            [("e.created_at >= %s", lo), ("e.created_at < %s", hi), ("c.channel_id = ANY(%s)", channels)]
        )
        outcomes, p3 = _where([("o.due_at >= %s", lo), ("o.due_at < %s", hi), ("c.channel_id = ANY(%s)", channels)])
        # Who held the conversation when the clock stopped: only the per-person rows need it.
        holder = "" if sla_only else HOLDER
        held = "NULL" if sla_only else f"coalesce(a.user_id, {none})"
        # Compliance over every channel needs no channel: then the conversations are not read.
        by_channel = not sla_only or channels is not None
        conversation = "JOIN inbox_conversation c ON c.id = o.conversation_id" if by_channel else ""
        channel = "c.channel_id" if by_channel else "NULL::int"
        sql = f"""
            WITH sla AS (
                SELECT (o.due_at AT TIME ZONE %s)::date AS day, {channel} AS channel_id,
                       coalesce(p.category_id, {none}) AS category_id, {held} AS user_id,
                       CASE WHEN o.breached THEN 'breached:' ELSE 'met:' END || o.metric AS kind
                  FROM protocols_slaoutcome o
                  {conversation}
                  LEFT JOIN protocols_slapolicy p ON p.id = o.policy_id
{holder}
                 WHERE TRUE{outcomes})
            SELECT day, channel_id, category_id, {any_} AS user_id, kind, count(*)::int AS count
              FROM sla GROUP BY 1, 2, 3, 5"""  # noqa: S608
        if sla_only:  # the per-category rows are the whole story of compliance
            return sql, [zone, *p3]
        sql += f"""
            UNION ALL
            SELECT day, channel_id, {any_}, user_id, kind, count(*)::int FROM sla GROUP BY 1, 2, 4, 5
            UNION ALL
            SELECT (m.sent_at AT TIME ZONE %s)::date, m.channel_id, {any_}, coalesce(m.sender_id, {none}),
                   'reply', count(*)::int
              FROM inbox_message m WHERE m.direction = 'out' AND m.sent_at IS NOT NULL{replies}
             GROUP BY 1, 2, 4
            UNION ALL
            SELECT (e.created_at AT TIME ZONE %s)::date, c.channel_id, {any_}, coalesce(e.actor_id, {none}),
                   'resolved', count(*)::int
              FROM inbox_conversationevent e JOIN inbox_conversation c ON c.id = e.conversation_id
             WHERE e.kind = 'resolved'{resolved}
             GROUP BY 1, 2, 4"""  # noqa: S608
        return sql, [zone, *p3, zone, *p1, zone, *p2]


HOLDER = """
                  LEFT JOIN LATERAL (
                        -- who held the conversation when the clock stopped
                        SELECT CASE WHEN e.kind = 'assigned' THEN (e.data ->> 'assignee_id')::int
                                    ELSE (e.data ->> 'to_user_id')::int END AS user_id
                          FROM inbox_conversationevent e
                         WHERE e.conversation_id = o.conversation_id AND e.kind IN ('assigned', 'handed_over')
                           AND e.created_at <= o.completed_at
                         ORDER BY e.created_at DESC, e.id DESC LIMIT 1) a ON TRUE
"""

KEPT = Kept()
RAW = Raw()
