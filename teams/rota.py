"""The rota as pure functions: who is on shift at a moment, and where the gaps are.

Shifts are wall-clock times in the team's time zone. Each occurrence is built
on its local date with ``zoneinfo`` and compared in UTC, so a 22:00–06:00 night
lasts 7 hours on the night the clocks go forward and 9 on the night they go
back, and "who is on at 02:30 local" has the right answer on both nights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WeeklyShift:
    member_id: int
    weekday: int
    starts: time
    ends: time  # at or before ``starts``: the shift ends the next day


@dataclass(frozen=True)
class Rota:
    time_zone: str
    shifts: tuple[WeeklyShift, ...] = ()
    # member id → ((first_day, last_day), ...) local dates
    absences: dict[int, tuple[tuple[date, date], ...]] = field(default_factory=dict)
    # (member id, starts_at, ends_at) aware
    extra: tuple[tuple[int, datetime, datetime], ...] = ()
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def _occurrence(shift: WeeklyShift, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, shift.starts, zone)
    end_day = day + timedelta(days=1) if shift.ends <= shift.starts else day
    end = datetime.combine(end_day, shift.ends, zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _absent(rota: Rota, member_id: int, day: date) -> bool:
    return any(first <= day <= last for first, last in rota.absences.get(member_id, ()))


def shift_intervals(rota: Rota, start: datetime, end: datetime) -> list[tuple[int, datetime, datetime]]:
    """Every (member, from, to) worked between ``start`` and ``end``, clipped, in UTC."""
    zone = rota.zone
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    out = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        if day not in rota.holidays:
            for shift in rota.shifts:
                if shift.weekday != day.weekday() or _absent(rota, shift.member_id, day):
                    continue
                begin, finish = _occurrence(shift, day, zone)
                begin, finish = max(begin, start), min(finish, end)
                if finish > begin:
                    out.append((shift.member_id, begin, finish))
        day += timedelta(days=1)
    for member_id, begin, finish in rota.extra:
        begin, finish = max(begin.astimezone(UTC), start), min(finish.astimezone(UTC), end)
        if finish > begin:
            out.append((member_id, begin, finish))
    return out


def on_shift(rota: Rota, moment: datetime) -> set[int]:
    """Members on shift at ``moment``."""
    moment = moment.astimezone(UTC)  # arithmetic on a local time would drop its DST fold
    return {m for m, _begin, _end in shift_intervals(rota, moment, moment + timedelta(microseconds=1))}


def shift_ends(rota: Rota, member_id: int, moment: datetime) -> datetime | None:
    """When the shift ``member_id`` works at ``moment`` ends, back-to-back shifts merged; None if off shift."""
    moment = moment.astimezone(UTC)
    intervals = sorted(
        (begin, end)
        for member, begin, end in shift_intervals(rota, moment - timedelta(days=1), moment + timedelta(days=3))
        if member == member_id
    )
    current = None
    for begin, end in intervals:
        if current is None:
            if begin <= moment < end:
                current = end
        elif begin <= current:
            current = max(current, end)
    return current


def shifts_now(rota: Rota, moment: datetime) -> dict[int, datetime]:
    """Everyone on shift at ``moment`` → when that shift ends (``on_shift`` and each
    member's ``shift_ends`` at once, from one pass over the rota)."""
    moment = moment.astimezone(UTC)
    by_member: dict[int, list[tuple[datetime, datetime]]] = {}
    for member, begin, end in shift_intervals(rota, moment - timedelta(days=1), moment + timedelta(days=3)):
        by_member.setdefault(member, []).append((begin, end))
    out = {}
    for member, intervals in by_member.items():
        current = None
        for begin, end in sorted(intervals):
            if current is None:
                if begin <= moment < end:
                    current = end
            elif begin <= current:
                current = max(current, end)
        if current is not None:
            out[member] = current
    return out


@dataclass(frozen=True)
class Coverage:
    start: datetime
    slot: timedelta
    # per slot: the members working during some of it, and whether together they cover all of it
    slots: list[set[int]]
    covered: list[bool]

    @property
    def percent(self) -> float:
        return round(100 * sum(self.covered) / len(self.covered), 1) if self.covered else 0.0

    def gaps(self) -> list[tuple[datetime, datetime]]:
        """Uncovered stretches, merged, in UTC."""
        out: list[tuple[datetime, datetime]] = []
        for index, covered in enumerate(self.covered):
            if covered:
                continue
            begin = self.start + index * self.slot
            if out and out[-1][1] == begin:
                out[-1] = (out[-1][0], begin + self.slot)
            else:
                out.append((begin, begin + self.slot))
        return out


def coverage(rota: Rota, start: datetime, end: datetime, slot: timedelta = timedelta(minutes=30)) -> Coverage:
    """Who works in each slot between ``start`` and ``end``, and whether the slot is
    covered from end to end (by one member or by several back to back). Real time:
    the night the clocks go back has two slots more."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    count = int((end - start) / slot)
    step = slot.total_seconds()
    slots: list[set[int]] = [set() for _ in range(count)]
    intervals = shift_intervals(rota, start, end)
    for member_id, begin, finish in intervals:
        first = max(int((begin - start) / slot), 0)
        last = min(-(-int((finish - start).total_seconds()) // int(step)), count)
        for index in range(first, last):
            slots[index].add(member_id)
    # A slot is covered when it lies inside the union of the intervals (back to back
    # ones joined): merge them in start order, then mark the whole slots each spans.
    covered = [False] * count
    merged: list[list[datetime]] = []
    for _member, begin, finish in sorted(intervals, key=lambda i: i[1]):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], finish)
        else:
            merged.append([begin, finish])
    for begin, finish in merged:
        first, last = max(-((start - begin) // slot), 0), min((finish - start) // slot, count)
        covered[first:last] = [True] * max(last - first, 0)
    return Coverage(start=start, slot=slot, slots=slots, covered=covered)
