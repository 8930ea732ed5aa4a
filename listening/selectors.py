"""Reads of the listening pages: the stream, counts per watch per day, share of voice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from listening.models import Result, Watch


def result_stream(*, watch_id: int | None = None, kind: str = "", questions: bool = False) -> QuerySet[Result]:
    results = Result.objects.select_related("watch", "conversation")
    if watch_id:
        results = results.filter(watch_id=watch_id)
    if kind in Watch.Kind.values:
        results = results.filter(watch__kind=kind)
    if questions:
        results = results.filter(is_question=True)
    return results


@dataclass(frozen=True)
class DailyCounts:
    days: list[date]
    rows: list[tuple[Watch, list[int], int]]  # watch, count per day, total


def daily_counts(*, now: datetime, days: int = 14, time_zone: str = "Europe/Madrid") -> DailyCounts:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    span = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    counts = (
        Result.objects.filter(written_at__date__gte=span[0])
        .annotate(day=TruncDate("written_at", tzinfo=zone))
        .values("watch_id", "day")
        .annotate(n=Count("pk"))
    )
    by_watch: dict[int, dict[date, int]] = {}
    for row in counts:
        by_watch.setdefault(row["watch_id"], {})[row["day"]] = row["n"]
    rows = []
    for watch in Watch.objects.all():
        values = [by_watch.get(watch.pk, {}).get(day, 0) for day in span]
        rows.append((watch, values, sum(values)))
    return DailyCounts(days=span, rows=rows)


@dataclass(frozen=True)
class Share:
    watch: Watch
    count: int
    percent: float


def share_of_voice(*, now: datetime, days: int = 30) -> list[Share]:
    """The brand against each competitor: mentions in the period, as shares of their sum."""
    since = now - timedelta(days=days)
    watches = Watch.objects.filter(kind__in=[Watch.Kind.BRAND, Watch.Kind.COMPETITOR]).annotate(
        n=Count("results", filter=Q(results__written_at__gte=since))
    )
    total = sum(w.n for w in watches) or 1
    return sorted(
        (Share(watch=w, count=w.n, percent=round(100 * w.n / total, 1)) for w in watches),
        key=lambda s: (s.watch.kind != Watch.Kind.BRAND, -s.count),
    )
