"""The weekly report: every figure the page, the e-mail, the API and the CSV show.

``report_build`` reads the kept tables (``reports.sources.KEPT``) by default;
given ``source=RAW`` it computes the same figures from the raw tables (the
reference the tests and the benchmark compare with). The definitions are the
README's ("The weekly report"), word for word in the docstrings below.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from channels.models import Channel
from core import roles
from inbox.models import Conversation, Message
from protocols.models import Category, CrisisAlert
from quality.selectors import quality_scores
from reports.cache import cached
from reports.keeping import hours_calendar
from reports.models import DailyCount
from reports.sources import KEPT
from reports.weeks import Period, business_zone
from teams.models import Team

ANY = DailyCount.ANY
METRICS = ("first_response", "next_response", "resolution")
# First-response distribution: upper bounds in seconds (the last bucket is open).
DISTRIBUTION = [(15 * 60, "< 15 min"), (3600, "< 1 h"), (4 * 3600, "< 4 h"), (24 * 3600, "< 24 h"), (None, "≥ 24 h")]
TREND_WEEKS = 4
UNANSWERED_LISTED = 50
OWED_TOO_LONG = timedelta(hours=24)
# A crisis whose first reply came later than this after detection was answered late.
CRISIS_SILENCE_LIMIT = timedelta(hours=1)
# The "counter attended" light: red below, amber below, green at or above.
LIGHT_RESPONSE_RED, LIGHT_RESPONSE_AMBER = 0.80, 0.95
LIGHT_COMPLIANCE_AMBER = 0.90


def _round(value: float | None) -> int | None:
    """Whole seconds, halves up."""
    return None if value is None else math.floor(value + 0.5)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class Scope:
    """What a person may see: every channel and every row, or (a gestor) their
    teams' channels and only their own row among the people."""

    channel_ids: list[int] | None  # None: all
    own_user_id: int | None  # set: only this person's row
    team_id: int | None = None
    channel_id: int | None = None


def scope_for(*, user, team_id: int | None = None, channel_id: int | None = None) -> Scope:
    """The scope of ``user``'s report with the filters asked for. Raises PermissionError without a role."""
    if not roles.can_view_inbox(user):
        raise PermissionError
    channel_ids: set[int] | None = None
    own = None
    if not roles.has_any_role(user, {roles.Role.OWNER, roles.Role.COMMUNITY_MANAGER, roles.Role.SUPERVISOR}):
        own = user.pk
        channel_ids = set(
            Team.channels.through.objects.filter(team__members__user=user).values_list("channel_id", flat=True)
        )
    if team_id is not None:
        team_channels = set(Team.channels.through.objects.filter(team_id=team_id).values_list("channel_id", flat=True))
        channel_ids = team_channels if channel_ids is None else channel_ids & team_channels
    if channel_id is not None:
        channel_ids = {channel_id} if channel_ids is None else channel_ids & {channel_id}
    return Scope(
        channel_ids=sorted(channel_ids) if channel_ids is not None else None,
        own_user_id=own,
        team_id=team_id,
        channel_id=channel_id,
    )


EVERYTHING = Scope(channel_ids=None, own_user_id=None)


def report_build(
    *, period: Period, scope: Scope = EVERYTHING, source=KEPT, now: datetime | None = None, use_cache: bool = True
) -> dict[str, Any]:
    """The report of ``period`` as plain data (the API's JSON). ``use_cache=False``
    computes every figure from the kept tables, none from the cache."""
    now = now or timezone.now()
    previous = period.previous()
    trend = [period.last.shift(-n) for n in range(max(TREND_WEEKS, period.weeks) - 1, -1, -1)][-12:]
    wanted = [(period.start, period.end), (previous.start, previous.end)] + [(w.start, w.end) for w in trend]
    buckets = list(dict.fromkeys(wanted))  # a one-week period is the last of its trend, the previous week too
    calendar = hours_calendar()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A week's facts sort in memory; these short queries start no parallel workers and are not
            # JIT-compiled (the raw computation's estimates would otherwise cost more to compile than to run).
            cursor.execute(
                "SET LOCAL work_mem = '64MB'; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"
            )
        return _report(period, previous, trend, wanted, buckets, scope, source, now, calendar, use_cache)


def _report(period, previous, trend, wanted, buckets, scope, source, now, calendar, use_cache) -> dict[str, Any]:
    channels = scope.channel_ids

    def kept(name, lo, hi, compute):
        # Weeks whose tables did not change are read from the cache (reports/cache.py).
        return cached(name, lo, hi, channels, compute) if source is KEPT and use_cache else compute()

    start, end = period.start, period.end
    if connection.vendor != "postgresql":
        return _assemble(
            period, previous, trend, wanted, buckets, scope, now, *_portable(period, buckets, channels, now)
        )
    main, per_channel, per_responder = kept("main", start, end, lambda: _facts_main(source, period, channels, calendar))
    others = [b for b in buckets if b != wanted[0]]
    if source is KEPT and use_cache:  # week by week: the unchanged ones come from the cache
        headlines = {
            b: kept("headline", b[0], b[1], lambda b=b: _facts_by_bucket(source, [b], channels, calendar)[0])
            for b in others
        }
        sla_by_bucket = {
            b: kept("sla", b[0], b[1], lambda b=b: _sla_by_bucket(source, [b], channels)[0]) for b in buckets
        }
    else:  # all weeks in one query each, their rows read once
        headlines = dict(zip(others, _facts_by_bucket(source, others, channels, calendar), strict=True))
        sla_by_bucket = dict(zip(buckets, _sla_by_bucket(source, buckets, channels), strict=True))
    volume, off = kept("volume", start, end, lambda: _volume(source, period, channels, calendar))
    counts = kept("counts", start, end, lambda: _counts(source, period, channels))
    owed = _owed(source, period, channels, now)
    return _assemble(
        period, previous, trend, wanted, buckets, scope, now,
        main, per_channel, per_responder, headlines, sla_by_bucket, volume, off, counts, owed,
    )  # fmt: skip


def _portable(period, buckets, channels, now) -> tuple:
    """The same parts, aggregated in Python (databases other than PostgreSQL: the demo's SQLite)."""
    from reports import portable

    main, per_channel, per_responder = portable.facts_main(period, channels)
    headlines = {b: portable.facts_headline(b, channels) for b in buckets}
    sla_by_bucket = {b: portable.sla_bucket(b, channels) for b in buckets}
    volume, off = portable.volume(period, channels)
    counts = portable.counts(period, channels)
    rows, ids = portable.owed(period, channels, now - OWED_TOO_LONG, UNANSWERED_LISTED)
    return (main, per_channel, per_responder, headlines, sla_by_bucket, volume, off, counts, _owed_data(rows, ids))


def _assemble(
    period, previous, trend, wanted, buckets, scope, now,
    main, per_channel, per_responder, headlines, sla_by_bucket, volume, off, counts, owed,
) -> dict[str, Any]:  # fmt: skip
    headlines = {**headlines, wanted[0]: main}
    facts = [headlines[b] for b in wanted]
    sla_buckets = [sla_by_bucket[b] for b in wanted]
    quality = _quality(period, scope)
    names = _names(counts, per_responder, per_channel, scope, reviewed=set(quality))
    before = facts[1]
    sla = _sla(counts, names, scope)
    headline_prev = _headline(before, sla_buckets[1])
    data: dict[str, Any] = {
        "week": period.label,
        "start": period.start,
        "end": period.end,
        "time_zone": settings.TIME_ZONE,
        "generated_at": now,
        "conversations": main["conversations"],
        "needing_reply": main["needing_reply"],
        "answered": main["answered"],
        "response_rate": _rate(main["answered"], main["needing_reply"]),
        "first_response_seconds": {
            "p50": _round(main["p50"]),
            "p90": _round(main["p90"]),
            "mean": _round(main["mean"]),
            "business_p50": _round(main["business_p50"]),
            "business_p90": _round(main["business_p90"]),
        },
        "first_response_distribution": [
            {"label": label, "max_seconds": bound, "count": main["distribution"][i]}
            for i, (bound, label) in enumerate(DISTRIBUTION)
        ],
        "sla": sla,
        "unanswered": owed,
        "volume_by_hour": volume,
        "off_hours": {
            "inbound": off[0],
            "inbound_off_hours": off[1],
            "share": _rate(off[1], off[0]),
            "median_first_response_inside": _round(main["inside_p50"]),
            "median_first_response_outside": _round(main["outside_p50"]),
        },
        "channels": _channel_rows(per_channel, owed, sla, names),
        "gestores": _gestor_rows(counts, per_responder, sla, names, scope, quality),
        "crises": _crises(period),
        "listening": _listening(period),
        "hidden": _hidden(period, scope.channel_ids),
        "ratings": _ratings(period, trend, scope.channel_ids),
        "previous": {"week": previous.label, **headline_prev},
        "trend": [{"week": week.label, **_headline(facts[2 + i], sla_buckets[2 + i])} for i, week in enumerate(trend)],
    }
    return data


def _headline(facts: dict, sla: tuple[int, int]) -> dict[str, Any]:
    met, breached = sla
    return {
        "conversations": facts["conversations"],
        "needing_reply": facts["needing_reply"],
        "answered": facts["answered"],
        "response_rate": _rate(facts["answered"], facts["needing_reply"]),
        "first_response_p50": _round(facts["p50"]),
        "sla_met": met,
        "sla_breached": breached,
        "sla_compliance": _rate(met, met + breached),
    }


# --- Facts -------------------------------------------------------------------------------------

_ANSWERED = "f.requires_reply AND f.first_response_at IS NOT NULL"


def _pct(q: float, column: str, condition: str = _ANSWERED) -> str:
    return f"percentile_cont({q}) WITHIN GROUP (ORDER BY {column}) FILTER (WHERE {condition})"


def _buckets_sql(buckets: list[tuple[datetime, datetime]]) -> tuple[str, list]:
    rows = ", ".join(["(%s::int, %s::timestamptz, %s::timestamptz)"] * len(buckets))
    return rows, [value for i, (lo, hi) in enumerate(buckets) for value in (i, lo, hi)]


def _distribution_sql() -> str:
    parts, previous_bound = [], None
    for bound, _label in DISTRIBUTION:
        condition = _ANSWERED
        if previous_bound is not None:
            condition += f" AND f.response_seconds >= {previous_bound}"
        if bound is not None:
            condition += f" AND f.response_seconds < {bound}"
        parts.append(f"count(*) FILTER (WHERE {condition})")
        previous_bound = bound
    return ", ".join(parts)


_HEADLINE = ["conversations", "needing_reply", "answered", "p50"]


def _facts_main(source, period, channels, calendar) -> tuple[dict, dict, dict]:
    """The period's figures: ``conversations`` (first inbound message in the
    period), ``needing_reply`` (of them, those that require a reply), ``answered``
    (of those, with a first response), percentiles and mean of the first response
    over ``answered``; and per channel and per first responder the counts and median."""
    facts_sql, params = source.facts(calendar=calendar, lo=period.start, hi=period.end, channels=channels)
    overall = f"""
        SELECT count(*), count(*) FILTER (WHERE f.requires_reply), count(*) FILTER (WHERE {_ANSWERED}),
               {_pct(0.5, "f.response_seconds")}, {_pct(0.9, "f.response_seconds")},
               avg(f.response_seconds) FILTER (WHERE {_ANSWERED}),
               {_pct(0.5, "f.response_business_seconds")}, {_pct(0.9, "f.response_business_seconds")},
               {_pct(0.5, "f.response_seconds", f"{_ANSWERED} AND NOT f.off_hours")},
               {_pct(0.5, "f.response_seconds", f"{_ANSWERED} AND f.off_hours")},
               {_distribution_sql()}
          FROM ({facts_sql}) f"""  # noqa: S608
    # Per channel and per first responder, only the counts and the median: two groupings, one scan.
    breakdown = f"""
        SELECT GROUPING(f.channel_id, f.first_responder_id), f.channel_id, f.first_responder_id,
               count(*), count(*) FILTER (WHERE f.requires_reply), count(*) FILTER (WHERE {_ANSWERED}),
               {_pct(0.5, "f.response_seconds")}
          FROM ({facts_sql}) f
         GROUP BY GROUPING SETS ((f.channel_id), (f.first_responder_id))"""  # noqa: S608
    keys = ["conversations", "needing_reply", "answered", "p50", "p90", "mean", "business_p50", "business_p90"]
    keys += ["inside_p50", "outside_p50"]
    if source is not KEPT:  # computing the facts costs more than aggregating them twice: one statement
        return _facts_main_once(overall, params, keys)
    row = _fetch(overall, params)[0]
    main = dict(zip(keys, row[:10], strict=True))
    main["mean"] = float(main["mean"]) if main["mean"] is not None else None
    main["distribution"] = list(row[10:])
    per_channel, per_responder = {}, {}
    for grouping, channel, responder, conversations, needing, answered, p50 in _fetch(breakdown, params):
        if grouping == 1:  # per channel
            per_channel[channel] = {
                "conversations": conversations,
                "needing_reply": needing,
                "answered": answered,
                "p50": _round(p50),
            }
        elif responder is not None and answered:
            per_responder[responder] = {"answered": answered, "p50": _round(p50)}
    return main, per_channel, per_responder


def _facts_main_once(overall: str, params: list, keys: list[str]) -> tuple[dict, dict, dict]:
    """``_facts_main`` in one statement: every aggregate over (), each channel and each first responder."""
    select, source_sql = overall.split("FROM (", 1)
    sql = (
        select.replace("SELECT ", "SELECT GROUPING(f.channel_id, f.first_responder_id), f.channel_id, "
                       "f.first_responder_id, ", 1)
        + "FROM (" + source_sql
        + " GROUP BY GROUPING SETS ((), (f.channel_id), (f.first_responder_id))"
    )  # fmt: skip
    main, per_channel, per_responder = {}, {}, {}
    for row in _fetch(sql, params):
        grouping, channel, responder = row[:3]
        item = dict(zip(keys, row[3:13], strict=True))
        if grouping == 3:
            main = item | {"distribution": list(row[13:])}
            main["mean"] = float(main["mean"]) if main["mean"] is not None else None
        elif grouping == 1:
            per_channel[channel] = {k: item[k] for k in _HEADLINE} | {"p50": _round(item["p50"])}
        elif responder is not None and item["answered"]:
            per_responder[responder] = {"answered": item["answered"], "p50": _round(item["p50"])}
    return main, per_channel, per_responder


def _once(source) -> str:
    """The raw computation of several weeks runs once, then each week reads its part;
    the kept tables are read by index, week by week."""
    return "NOT MATERIALIZED" if source is KEPT else "MATERIALIZED"


def _facts_by_bucket(source, buckets, channels, calendar) -> list[dict]:
    """The headline figures (as in ``_facts_main``) of each of ``buckets``."""
    if not buckets:
        return []
    lo, hi = min(b[0] for b in buckets), max(b[1] for b in buckets)
    facts_sql, facts_params = source.facts(calendar=calendar, lo=lo, hi=hi, channels=channels, lean=True)
    values, value_params = _buckets_sql(buckets)
    sql = f"""
        WITH b(idx, lo, hi) AS (VALUES {values}), f AS {_once(source)} ({facts_sql})
        SELECT b.idx, count(f.conversation_id), count(*) FILTER (WHERE f.requires_reply),
               count(*) FILTER (WHERE {_ANSWERED}), {_pct(0.5, "f.response_seconds")}
          FROM b LEFT JOIN f ON f.first_inbound_at >= b.lo AND f.first_inbound_at < b.hi
         GROUP BY b.idx ORDER BY b.idx"""  # noqa: S608
    return [dict(zip(_HEADLINE, row[1:], strict=True)) for row in _fetch(sql, [*value_params, *facts_params])]


def _owed(source, period, channels, now) -> dict[str, Any]:
    """``unanswered``: conversations needing a reply with no response yet, at report
    time, waiting since before the period's end."""
    owed_sql, params = source.owed(hi=period.end, channels=channels)
    too_old = now - OWED_TOO_LONG
    rows = _fetch(
        f"WITH o AS ({owed_sql}) SELECT o.channel_id, count(*), count(*) FILTER (WHERE o.owed_since < %s), "  # noqa: S608
        "min(o.owed_since) FROM o GROUP BY o.channel_id",
        [*params, too_old],
    )
    listed = _fetch(
        f"WITH o AS ({owed_sql}) SELECT o.conversation_id FROM o "  # noqa: S608
        "ORDER BY o.owed_since, o.conversation_id LIMIT %s",
        [*params, UNANSWERED_LISTED],
    )
    return _owed_data(rows, [row[0] for row in listed])


def _owed_data(rows: list[tuple], ids: list[int]) -> dict[str, Any]:
    """From (channel, count, over 24 h, oldest) per channel and the ids to list."""
    # values(), not objects: a Channel object decrypts its credentials.
    found = Conversation.objects.filter(pk__in=ids).values(
        "pk", "channel__name", "contact__display_name", "contact__handle", "contact__external_id", "subject",
        "snippet", "waiting_since",
    )  # fmt: skip
    conversations = {row["pk"]: row for row in found}
    items = []
    for pk in ids:
        c = conversations[pk]
        items.append(
            {
                "id": pk,
                "channel": c["channel__name"],
                "contact": c["contact__display_name"] or c["contact__handle"] or c["contact__external_id"],
                "subject": c["subject"] or c["snippet"][:80],
                "waiting_since": c["waiting_since"],
                "url": f"/conversations/{pk}/",
            }
        )
    oldest = min((row[3] for row in rows), default=None)
    return {
        "count": sum(row[1] for row in rows),
        "over_24h": sum(row[2] for row in rows),
        "oldest_waiting_since": oldest,
        "by_channel": {row[0]: {"count": row[1], "over_24h": row[2]} for row in rows},
        "items": items,
    }


# --- Volume and counts -------------------------------------------------------------------------


def _volume(source, period, channels, calendar) -> tuple[list[list[int]], tuple[int, int]]:
    """``volume_by_hour``: inbound messages by local weekday (Monday first) × hour;
    and the inbound total and how many outside business hours."""
    volume_sql, params = source.volume(calendar=calendar, lo=period.start, hi=period.end, channels=channels)
    zone = settings.TIME_ZONE
    rows = _fetch(
        f"WITH v AS ({volume_sql}) SELECT extract(isodow FROM v.hour AT TIME ZONE %s)::int, "  # noqa: S608
        "extract(hour FROM v.hour AT TIME ZONE %s)::int, sum(v.inbound), sum(v.inbound_off_hours) FROM v GROUP BY 1, 2",
        [*params, zone, zone],
    )
    grid = [[0] * 24 for _ in range(7)]
    total = outside = 0
    for weekday, hour, inbound, inbound_off in rows:
        grid[weekday - 1][hour] += int(inbound)
        total += int(inbound)
        outside += int(inbound_off)
    return grid, (total, outside)


def _counts(source, period, channels) -> list[tuple[int, int, int, str, int]]:
    counts_sql, params = source.counts(lo=period.start, hi=period.end, channels=channels)
    return [
        (channel, category, user, kind, int(n))
        for channel, category, user, kind, n in _fetch(
            f"WITH k AS ({counts_sql}) SELECT k.channel_id, k.category_id, k.user_id, k.kind, sum(k.count) "  # noqa: S608
            "FROM k GROUP BY 1, 2, 3, 4",
            params,
        )
    ]


def _sla_by_bucket(source, buckets, channels) -> list[tuple[int, int]]:
    """SLA outcomes met and breached whose due time falls in each of ``buckets``."""
    lo, hi = min(b[0] for b in buckets), max(b[1] for b in buckets)
    counts_sql, params = source.counts(lo=lo, hi=hi, channels=channels, sla_only=True)
    zone = business_zone()
    rows = ", ".join(["(%s::int, %s::date, %s::date)"] * len(buckets))
    days = [
        v
        for i, (b_lo, b_hi) in enumerate(buckets)
        for v in (i, b_lo.astimezone(zone).date(), b_hi.astimezone(zone).date())
    ]
    found = _fetch(
        f"""WITH k AS {_once(source)} ({counts_sql}), b(idx, lo, hi) AS (VALUES {rows})
            SELECT b.idx, coalesce(sum(k.count) FILTER (WHERE k.kind LIKE 'met:%%'), 0),
                   coalesce(sum(k.count) FILTER (WHERE k.kind LIKE 'breached:%%'), 0)
              FROM b LEFT JOIN k ON k.day >= b.lo AND k.day < b.hi AND k.user_id = {ANY}
             GROUP BY b.idx ORDER BY b.idx""",  # noqa: S608
        [*params, *days],
    )
    return [(int(met), int(breached)) for _idx, met, breached in found]


# --- SLA ---------------------------------------------------------------------------------------


def _sla_entry(key, name, met: int, breached: int) -> dict[str, Any]:
    return {"id": key, "name": name, "met": met, "breached": breached, "compliance": _rate(met, met + breached)}


def _sla(counts, names, scope: Scope) -> dict[str, Any]:
    """``sla``: SLA outcomes (first response, next response, resolution) whose due
    time falls in the period, met vs breached, overall and by channel, category,
    assignee (who held the conversation when the clock stopped) and team."""
    by: dict[str, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for channel, category, user, kind, n in counts:
        if ":" not in kind:
            continue
        outcome, metric = kind.split(":", 1)
        column = 0 if outcome == "met" else 1
        if user == ANY:  # the per-category rows: overall, channel, category, metric
            by["all"][None][column] += n
            by["channel"][channel][column] += n
            by["category"][category][column] += n
            by["metric"][metric][column] += n
        elif category == ANY:
            by["assignee"][user][column] += n
    met, breached = by["all"][None]
    assignees = by["assignee"]
    if scope.own_user_id is not None:
        assignees = {k: v for k, v in assignees.items() if k == scope.own_user_id}
    teams = []
    for team in names["teams"]:
        team_met = sum(by["channel"][c][0] for c in team["channel_ids"] if c in by["channel"])
        team_breached = sum(by["channel"][c][1] for c in team["channel_ids"] if c in by["channel"])
        if team_met or team_breached:
            teams.append(_sla_entry(team["id"], team["name"], team_met, team_breached))

    def entries(group, label):
        rows = [_sla_entry(key or None, label(key), m, b) for key, (m, b) in group.items()]
        return sorted(rows, key=lambda r: (r["compliance"] if r["compliance"] is not None else 2, r["name"]))

    return {
        "met": met,
        "breached": breached,
        "compliance": _rate(met, met + breached),
        "by_metric": [
            _sla_entry(metric, metric, *by["metric"][metric]) for metric in METRICS if metric in by["metric"]
        ],
        "by_channel": entries(by["channel"], lambda k: names["channels"].get(k, str(k))),
        "by_category": entries(by["category"], lambda k: names["categories"].get(k, "—")),
        "by_assignee": entries(assignees, lambda k: names["users"].get(k, "—")),
        "by_team": sorted(teams, key=lambda r: (r["compliance"], r["name"])),
    }


# --- Rows per channel and per gestor -----------------------------------------------------------


def _light(row: dict) -> str:
    """The "counter attended" light of a channel: red when a question has waited
    more than 24 h or fewer than 80 % of those needing a reply were answered;
    amber below 95 % answered or 90 % of deadlines met; green otherwise; grey
    with nothing to attend."""
    if not row["needing_reply"] and not row["unanswered"]:
        return "grey"
    rate, compliance = row["response_rate"], row["sla_compliance"]
    if row["unanswered_over_24h"] or (rate is not None and rate < LIGHT_RESPONSE_RED):
        return "red"
    if (rate is not None and rate < LIGHT_RESPONSE_AMBER) or (
        compliance is not None and compliance < LIGHT_COMPLIANCE_AMBER
    ):
        return "amber"
    return "green"


def _channel_rows(per_channel, owed, sla, names) -> list[dict]:
    sla_by = {row["id"]: row for row in sla["by_channel"]}
    keys = set(per_channel) | set(owed["by_channel"]) | {k for k in sla_by if k}
    rows = []
    for key in keys:
        facts = per_channel.get(key, {"conversations": 0, "needing_reply": 0, "answered": 0, "p50": None})
        waiting = owed["by_channel"].get(key, {"count": 0, "over_24h": 0})
        outcome = sla_by.get(key, {"met": 0, "breached": 0, "compliance": None})
        row = {
            "id": key,
            "name": names["channels"].get(key, str(key)),
            "conversations": facts["conversations"],
            "needing_reply": facts["needing_reply"],
            "answered": facts["answered"],
            "response_rate": _rate(facts["answered"], facts["needing_reply"]),
            "first_response_p50": facts["p50"],
            "unanswered": waiting["count"],
            "unanswered_over_24h": waiting["over_24h"],
            "sla_met": outcome["met"],
            "sla_breached": outcome["breached"],
            "sla_compliance": outcome["compliance"],
        }
        row["light"] = _light(row)
        rows.append(row)
    return sorted(rows, key=lambda r: r["name"])


def _quality(period: Period, scope: Scope) -> dict[int, dict]:
    """Quality review scores per gestor: read from the reviews themselves (a few
    per gestor and week), the same whichever source the rest of the report uses."""
    return quality_scores(first_monday=period.start.date(), end_monday=period.end.date(), channel_ids=scope.channel_ids)


def _gestor_rows(counts, per_responder, sla, names, scope: Scope, quality: dict[int, dict]) -> list[dict]:
    """Per gestor: replies sent, conversations resolved, median first response
    (over the conversations whose first reply they sent), SLA compliance (as
    assignee), and the quality-review score: the mean score of the reviews of
    their replies sent in the period (``None`` without reviews)."""
    replies: dict[int, int] = defaultdict(int)
    resolved: dict[int, int] = defaultdict(int)
    for _channel, _category, user, kind, n in counts:
        if kind == "reply":
            replies[user] += n
        elif kind == "resolved":
            resolved[user] += n
    sla_by = {row["id"]: row for row in sla["by_assignee"]}
    people = {k for k in (set(replies) | set(resolved) | set(per_responder) | set(sla_by) | set(quality)) if k}
    if scope.own_user_id is not None:
        people &= {scope.own_user_id}
    rows = []
    for user in people:
        outcome = sla_by.get(user, {"met": 0, "breached": 0, "compliance": None})
        first = per_responder.get(user, {"answered": 0, "p50": None})
        rows.append(
            {
                "id": user,
                "name": names["users"].get(user, str(user)),
                "replies": replies.get(user, 0),
                "resolved": resolved.get(user, 0),
                "first_responses": first["answered"],
                "median_first_response": first["p50"],
                "sla_met": outcome["met"],
                "sla_breached": outcome["breached"],
                "sla_compliance": outcome["compliance"],
                "quality_score": quality.get(user, {}).get("score"),
                "quality_reviews": quality.get(user, {}).get("reviews", 0),
            }
        )
    return sorted(rows, key=lambda r: r["name"])


def _names(counts, per_responder, per_channel, scope: Scope, reviewed: set[int]) -> dict[str, Any]:
    user_ids = {user for _c, _k, user, _kind, _n in counts if user > 0} | {k for k in per_responder if k} | reviewed
    users = {
        pk: f"{first} {last}".strip() or username
        for pk, first, last, username in get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "first_name", "last_name", "username")
    }
    teams = []
    visible = set(scope.channel_ids) if scope.channel_ids is not None else None
    team_channels = defaultdict(list)
    for team_id, channel_id in Team.channels.through.objects.values_list("team_id", "channel_id"):
        team_channels[team_id].append(channel_id)
    for team in Team.objects.order_by("name").only("pk", "name"):
        channel_ids = team_channels[team.pk]
        if visible is not None:
            channel_ids = [c for c in channel_ids if c in visible]
        if channel_ids:
            teams.append({"id": team.pk, "name": team.name, "channel_ids": channel_ids})
    return {
        "channels": dict(Channel.objects.values_list("pk", "name")),
        "categories": dict(Category.objects.values_list("pk", "name")),
        "users": users,
        "teams": teams,
    }


# --- Crises, listening, hidden items -----------------------------------------------------------


def _crises(period: Period) -> list[dict]:
    """``crises``: each crisis alert detected in the period, and the time from
    detection to the first reply sent in its conversations (the silence)."""
    rows = []
    for alert in CrisisAlert.objects.filter(started_at__gte=period.start, started_at__lt=period.end).order_by(
        "started_at"
    ):
        replies = Message.objects.filter(
            conversation_id__in=alert.conversation_ids,
            direction=Message.Direction.OUT,
            sent_at__gte=alert.started_at,
        )
        first = replies.order_by("sent_at").values_list("sent_at", flat=True).first()
        first_public = (
            replies.filter(to_private=False, conversation__kind=Conversation.Kind.PUBLIC)
            .order_by("sent_at")
            .values_list("sent_at", flat=True)
            .first()
        )
        silence = (first - alert.started_at).total_seconds() if first else None
        rows.append(
            {
                "id": alert.pk,
                "subject": alert.subject,
                "detected_at": alert.started_at,
                "conversations": len(alert.conversation_ids),
                "first_reply_at": first,
                "first_public_reply_at": first_public,
                "silence_seconds": _round(silence),
                "late": silence is None or silence > CRISIS_SILENCE_LIMIT.total_seconds(),
                "closed_at": alert.closed_at,
            }
        )
    return rows


def _listening(period: Period) -> dict[str, Any]:
    """Listening: mentions per watch and share of voice (the brand against its
    competitors), this period and the one before."""
    if not apps.is_installed("listening"):
        return {"watches": [], "share_of_voice": []}
    from django.db.models import Count, Q

    # Read by name: listening and reports sit side by side, neither imports the other.
    Watch = apps.get_model("listening", "Watch")
    previous = period.previous()
    watches = Watch.objects.annotate(
        now=Count("results", filter=Q(results__written_at__gte=period.start, results__written_at__lt=period.end)),
        before=Count(
            "results", filter=Q(results__written_at__gte=previous.start, results__written_at__lt=previous.end)
        ),
    ).order_by("kind", "name")
    rows: list[dict[str, Any]] = [
        {"id": w.pk, "name": w.name, "kind": w.kind, "mentions": w.now, "previous": w.before} for w in watches
    ]
    voices = [r for r in rows if r["kind"] in ("brand", "competitor")]
    total_now = sum(r["mentions"] for r in voices)
    total_before = sum(r["previous"] for r in voices)
    share = [
        {
            "id": r["id"],
            "name": r["name"],
            "kind": r["kind"],
            "share": _rate(r["mentions"], total_now),
            "previous_share": _rate(r["previous"], total_before),
        }
        for r in voices
    ]
    return {"watches": rows, "share_of_voice": share}


def _ratings(period: Period, trend: list[Period], channels) -> dict[str, Any]:
    """Reviews written in the period and in each trend week (Google Business Profile stars):
    how many and their average stars, reviews deleted on the network left out. Read from
    the messages' ``rating`` (reviews are few), the same on every database."""
    lo = min([period.start, *(w.start for w in trend)])
    hi = max([period.end, *(w.end for w in trend)])
    rows = Message.objects.filter(
        direction=Message.Direction.IN,
        rating__isnull=False,
        removed_at__isnull=True,
        created_at__gte=lo,
        created_at__lt=hi,
    )
    if channels is not None:
        rows = rows.filter(channel_id__in=channels)
    pairs = list(rows.values_list("created_at", "rating"))

    def summary(start, end) -> dict[str, Any]:
        stars = [int(rating or 0) for written, rating in pairs if start <= written < end]
        return {"reviews": len(stars), "average_stars": round(sum(stars) / len(stars), 2) if stars else None}

    return {
        **summary(period.start, period.end),
        "weeks": [{"week": week.label, "start": week.start, **summary(week.start, week.end)} for week in trend],
    }


def _hidden(period: Period, channels) -> list[dict]:
    """Hidden items: inbound messages hidden in the period (never deleted), with who hid them and why."""
    hidden = (
        Message.objects.filter(hidden_at__gte=period.start, hidden_at__lt=period.end)
        .select_related("hidden_by")
        .annotate(channel_name=F("channel__name"))
        .defer("channel")
    )
    if channels is not None:
        hidden = hidden.filter(channel_id__in=channels)
    return [
        {
            "message_id": m.pk,
            "conversation_id": m.conversation_id,
            "channel": m.channel_name,
            "hidden_at": m.hidden_at,
            "hidden_by": (m.hidden_by.get_full_name() or m.hidden_by.username) if m.hidden_by else None,
            "reason": m.hidden_reason,
            "text": m.body[:140],
        }
        for m in hidden.order_by("hidden_at")[:200]
    ]
