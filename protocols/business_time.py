"""Business-hours arithmetic: pure functions on aware datetimes.

A ``Calendar`` says when the clock runs: always, or during weekly opening
hours in a time zone, minus holidays. Opening intervals are built per local
date and turned into aware datetimes with ``zoneinfo``, so a day with a
daylight-saving change has its true length (an 09:00–19:00 day is 10 hours
whether the clocks moved that night or not, and a 24/7 day around the change is
23 or 25 hours). All arithmetic happens in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far ahead a deadline may be searched for: a calendar open one hour a
# year still resolves; a calendar that is never open raises.
_MAX_DAYS = 400


@dataclass(frozen=True)
class Calendar:
    time_zone: str = "Europe/Madrid"
    always_open: bool = True
    # weekday (0 = Monday) → ((start, end), ...) local times; end 00:00 means midnight.
    hours: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def parse_hours(raw: dict) -> dict[int, tuple[tuple[time, time], ...]]:
    """``{"0": [["09:00", "14:00"], ...]}`` → ``{0: ((time(9), time(14)), ...)}``; raises ValueError."""
    hours: dict[int, tuple[tuple[time, time], ...]] = {}
    for day, intervals in (raw or {}).items():
        weekday = int(day)
        if not 0 <= weekday <= 6:
            raise ValueError(f"Weekday {day} is not between 0 (Monday) and 6 (Sunday).")
        parsed = []
        for start, end in intervals:
            start_t, end_t = time.fromisoformat(start), time.fromisoformat(end)
            if end_t != time(0) and end_t <= start_t:
                raise ValueError(f"{start}–{end} ends before it starts.")
            parsed.append((start_t, end_t))
        hours[weekday] = tuple(sorted(parsed))
    return hours


def _open_intervals(calendar: Calendar, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals in UTC, in order, from the local day of ``since`` onwards."""
    zone = calendar.zone
    day = since.astimezone(zone).date()
    for _ in range(_MAX_DAYS):
        if calendar.always_open:
            start = datetime.combine(day, time(0), zone)
            end = datetime.combine(day + timedelta(days=1), time(0), zone)
            yield start.astimezone(UTC), end.astimezone(UTC)
        elif day not in calendar.holidays:
            for start_t, end_t in calendar.hours.get(day.weekday(), ()):
                start = datetime.combine(day, start_t, zone)
                end_day = day + timedelta(days=1) if end_t == time(0) else day
                end = datetime.combine(end_day, end_t, zone)
                yield start.astimezone(UTC), end.astimezone(UTC)
        day += timedelta(days=1)
    raise ValueError("The calendar is never open in the next 400 days.")


def business_add(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The moment when ``duration`` of open time has passed since ``start``."""
    # Arithmetic on datetimes that share a tzinfo is wall-clock arithmetic in
    # Python; in UTC it is real time.
    start = start.astimezone(UTC)
    if calendar.always_open:
        return start + duration
    remaining = duration
    for open_start, open_end in _open_intervals(calendar, start):
        if open_end <= start:
            continue
        begin = max(open_start, start)
        available = open_end - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover


def business_elapsed(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Open time between ``start`` and ``end`` (zero when ``end`` is not after ``start``)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return timedelta(0)
    if calendar.always_open:
        return end - start
    total = timedelta(0)
    try:
        for open_start, open_end in _open_intervals(calendar, start):
            if open_start >= end:
                break
            begin, finish = max(open_start, start), min(open_end, end)
            if finish > begin:
                total += finish - begin
    except ValueError:  # closed for the rest of the search window
        pass
    return total


def open_intervals(calendar: Calendar, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The opening intervals (UTC) that overlap ``start``–``end``, in order: for
    checking many moments at once (``is_open`` on each is the same answer)."""
    found = []
    try:
        for open_start, open_end in _open_intervals(calendar, start - timedelta(days=1)):
            if open_start >= end:
                break
            if open_end > start:
                found.append((open_start, open_end))
    except ValueError:  # closed for the rest of the search window
        pass
    return found


def is_open(calendar: Calendar, moment: datetime) -> bool:
    for open_start, open_end in _open_intervals(calendar, moment - timedelta(days=1)):
        if open_start > moment:
            return False
        if open_start <= moment < open_end:
            return True
    return False
