"""The report on a database without PostgreSQL's SQL (the embedded SQLite of
``make run``): the same tables, the same figures, aggregated in Python from
rows read with the ORM. Fine at demo size; production runs on PostgreSQL,
where ``reports/selectors.py`` aggregates in SQL (and the tests compare that
with the raw computation)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.db.models import F

from inbox.models import Conversation, ConversationEvent, Message
from protocols.models import SlaOutcome
from reports.models import ConversationFact, DailyCount, HourlyVolume
from reports.weeks import Period, business_zone

ANY, NONE = DailyCount.ANY, DailyCount.NONE
BOUNDS = [15 * 60, 3600, 4 * 3600, 24 * 3600, None]


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks, as PostgreSQL's ``percentile_cont``."""
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def _facts(lo: datetime, hi: datetime, channels) -> list[dict]:
    facts = ConversationFact.objects.filter(first_inbound_at__gte=lo, first_inbound_at__lt=hi)
    if channels is not None:
        facts = facts.filter(channel_id__in=channels)
    return list(
        facts.values(  # type: ignore[arg-type]
            "channel_id", "requires_reply", "first_response_at", "first_responder_id", "response_seconds",
            "response_business_seconds", "off_hours",
        )
    )  # fmt: skip


def _answered(row: dict) -> bool:
    return row["requires_reply"] and row["first_response_at"] is not None


def _headline(rows: list[dict]) -> dict[str, Any]:
    answered = [r["response_seconds"] for r in rows if _answered(r)]
    return {
        "conversations": len(rows),
        "needing_reply": sum(1 for r in rows if r["requires_reply"]),
        "answered": len(answered),
        "p50": percentile(answered, 0.5),
    }


def facts_main(period: Period, channels) -> tuple[dict, dict, dict]:
    rows = _facts(period.start, period.end, channels)
    answered = [r for r in rows if _answered(r)]
    seconds = [r["response_seconds"] for r in answered]
    business = [r["response_business_seconds"] for r in answered]
    distribution, previous = [], None
    for bound in BOUNDS:
        distribution.append(
            sum(1 for s in seconds if (previous is None or s >= previous) and (bound is None or s < bound))
        )
        previous = bound
    main = _headline(rows) | {
        "p90": percentile(seconds, 0.9),
        "mean": sum(seconds) / len(seconds) if seconds else None,
        "business_p50": percentile(business, 0.5),
        "business_p90": percentile(business, 0.9),
        "inside_p50": percentile([r["response_seconds"] for r in answered if not r["off_hours"]], 0.5),
        "outside_p50": percentile([r["response_seconds"] for r in answered if r["off_hours"]], 0.5),
        "distribution": distribution,
    }
    by_channel: dict[int, list[dict]] = defaultdict(list)
    by_responder: dict[int, list[float]] = defaultdict(list)
    for row in rows:
        by_channel[row["channel_id"]].append(row)
        if _answered(row) and row["first_responder_id"]:
            by_responder[row["first_responder_id"]].append(row["response_seconds"])
    per_channel = {}
    for channel, channel_rows in by_channel.items():
        head = _headline(channel_rows)
        per_channel[channel] = head | {"p50": _round(head["p50"])}
    per_responder = {
        user: {"answered": len(values), "p50": _round(percentile(values, 0.5))} for user, values in by_responder.items()
    }
    return main, per_channel, per_responder


def _round(value: float | None) -> int | None:
    return None if value is None else math.floor(value + 0.5)


def facts_headline(bucket: tuple[datetime, datetime], channels) -> dict[str, Any]:
    return _headline(_facts(*bucket, channels))


def _days(lo: datetime, hi: datetime) -> tuple[date, date]:
    zone = business_zone()
    return lo.astimezone(zone).date(), hi.astimezone(zone).date()


def _counts_query(lo: datetime, hi: datetime, channels):
    first, last = _days(lo, hi)
    counts = DailyCount.objects.filter(day__gte=first, day__lt=last)
    return counts.filter(channel_id__in=channels) if channels is not None else counts


def sla_bucket(bucket: tuple[datetime, datetime], channels) -> tuple[int, int]:
    met = breached = 0
    for kind, n in _counts_query(*bucket, channels).filter(user_id=ANY).values_list("kind", "count"):
        if kind.startswith("met:"):
            met += n
        elif kind.startswith("breached:"):
            breached += n
    return met, breached


def counts(period: Period, channels) -> list[tuple[int, int, int, str, int]]:
    summed: dict[tuple, int] = defaultdict(int)
    for row in _counts_query(period.start, period.end, channels).values_list(
        "channel_id", "category_id", "user_id", "kind", "count"
    ):
        summed[row[:4]] += row[4]
    return [(*key, n) for key, n in summed.items()]


def volume(period: Period, channels) -> tuple[list[list[int]], tuple[int, int]]:
    rows = HourlyVolume.objects.filter(hour__gte=period.start, hour__lt=period.end)
    if channels is not None:
        rows = rows.filter(channel_id__in=channels)
    grid = [[0] * 24 for _ in range(7)]
    total = outside = 0
    zone = business_zone()
    for hour, inbound, inbound_off in rows.values_list("hour", "inbound", "inbound_off_hours"):
        local = hour.astimezone(zone)
        grid[local.weekday()][local.hour] += inbound
        total += inbound
        outside += inbound_off
    return grid, (total, outside)


def owed(period: Period, channels, too_old: datetime, listed: int) -> tuple[list[tuple], list[int]]:
    facts = ConversationFact.objects.filter(owed_since__isnull=False, owed_since__lt=period.end)
    if channels is not None:
        facts = facts.filter(channel_id__in=channels)
    rows = list(
        facts.order_by("owed_since", "conversation_id").values_list("conversation_id", "channel_id", "owed_since")
    )
    by_channel: dict[int, list] = {}
    for _pk, channel, since in rows:
        assert since is not None  # filtered above
        entry = by_channel.setdefault(channel, [channel, 0, 0, since])
        entry[1] += 1
        entry[2] += since < too_old
        entry[3] = min(entry[3], since)
    return [tuple(v) for v in by_channel.values()], [pk for pk, _c, _s in rows[:listed]]


def rebuild() -> None:
    """Refill the tables from the raw ones through the same writers the hooks use."""
    from reports.keeping import counts_add, facts_upsert, volume_add

    ConversationFact.objects.all().delete()
    HourlyVolume.objects.all().delete()
    DailyCount.objects.all().delete()
    conversations = list(Conversation.objects.exclude(first_inbound_at=None).order_by("pk"))
    for start in range(0, len(conversations), 500):
        facts_upsert(conversations=conversations[start : start + 500])
    sent = Message.objects.filter(direction=Message.Direction.OUT, sent_at__isnull=False)
    first_by: dict[tuple[int, datetime | None], int | None] = {}
    for conversation_id, sender_id, sent_at in sent.order_by("pk").values_list(
        "conversation_id", "sender_id", "sent_at"
    ):
        first_by.setdefault((conversation_id, sent_at), sender_id)
    for c in conversations:
        if c.first_response_at and (sender := first_by.get((c.pk, c.first_response_at))):
            ConversationFact.objects.filter(conversation_id=c.pk).update(first_responder_id=sender)
    inbound = list(Message.objects.filter(direction=Message.Direction.IN).only("created_at", "channel_id"))
    for start in range(0, len(inbound), 1000):
        volume_add(messages=inbound[start : start + 1000])
    zone = business_zone()
    channel_of = dict(Conversation.objects.values_list("pk", "channel_id"))
    rows = [
        ((at.astimezone(zone)).date(), channel, ANY, sender or NONE, "reply")
        for channel, sender, at in sent.values_list("channel_id", "sender_id", "sent_at")
        if at is not None
    ]
    events = ConversationEvent.objects.order_by("created_at", "pk")
    for conversation_id, actor_id, at in events.filter(kind=ConversationEvent.Kind.RESOLVED).values_list(
        "conversation_id", "actor_id", "created_at"
    ):
        rows.append((at.astimezone(zone).date(), channel_of[conversation_id], ANY, actor_id or NONE, "resolved"))
    holders: dict[int, list[tuple[datetime, int | None]]] = defaultdict(list)
    for conversation_id, kind, data, at in events.filter(
        kind__in=[ConversationEvent.Kind.ASSIGNED, ConversationEvent.Kind.HANDED_OVER]
    ).values_list("conversation_id", "kind", "data", "created_at"):
        holders[conversation_id].append((at, data.get("assignee_id" if kind == "assigned" else "to_user_id")))
    for outcome in SlaOutcome.objects.select_related("policy"):
        kind = f"{'breached' if outcome.breached else 'met'}:{outcome.metric}"
        day = outcome.due_at.astimezone(zone).date()
        channel = channel_of[outcome.conversation_id]
        held = [user for at, user in holders.get(outcome.conversation_id, []) if at <= outcome.completed_at]
        category = outcome.policy.category_id if outcome.policy else None
        rows.append((day, channel, category or NONE, ANY, kind))
        rows.append((day, channel, ANY, (held[-1] if held else None) or NONE, kind))
    counts_add(rows)


def add_counts(model, key_fields: list[str], rows: dict[tuple, dict[str, int]]) -> None:
    """Add to counters row by row (``INSERT … ON CONFLICT`` elsewhere)."""
    for key, increments in rows.items():
        lookup = dict(zip(key_fields, key, strict=True))
        _obj, created = model.objects.get_or_create(**lookup, defaults=increments)
        if not created:
            model.objects.filter(**lookup).update(**{f: F(f) + n for f, n in increments.items()})
