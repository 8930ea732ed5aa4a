"""ISO weeks in the business time zone: Monday 00:00 to Monday 00:00 local, DST included."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")


def business_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, label: str) -> Week:
        """``2026-W47`` → ``Week(2026, 47)``; raises ValueError for anything else."""
        match = _LABEL.match((label or "").strip())
        if not match:
            raise ValueError(f"{label!r} is not an ISO week like 2026-W47")
        year, number = int(match[1]), int(match[2])
        date.fromisocalendar(year, number, 1)  # raises ValueError for W53 of a 52-week year
        return cls(year, number)

    @classmethod
    def containing(cls, moment: datetime | date) -> Week:
        day = moment.astimezone(business_zone()).date() if isinstance(moment, datetime) else moment
        year, number, _weekday = day.isocalendar()
        return cls(year, number)

    @classmethod
    def last_complete(cls, now: datetime) -> Week:
        """The week before the one ``now`` falls in: the default report."""
        return cls.containing(now).shift(-1)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def start(self) -> datetime:
        """Monday 00:00 local, as an aware datetime in the business time zone."""
        return datetime.combine(self.monday, time(0), business_zone())

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 local (exclusive)."""
        return datetime.combine(self.monday + timedelta(days=7), time(0), business_zone())

    def shift(self, weeks: int) -> Week:
        return Week.containing(self.monday + timedelta(weeks=weeks))


@dataclass(frozen=True)
class Period:
    """One week or a run of consecutive weeks, ``first`` to ``last`` inclusive."""

    first: Week
    last: Week

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("The period ends before it starts.")

    @property
    def weeks(self) -> int:
        return (self.last.monday - self.first.monday).days // 7 + 1

    @property
    def start(self) -> datetime:
        return self.first.start

    @property
    def end(self) -> datetime:
        return self.last.end

    @property
    def label(self) -> str:
        return self.first.label if self.first == self.last else f"{self.first.label}..{self.last.label}"

    def previous(self) -> Period:
        """The same number of weeks just before."""
        return Period(self.first.shift(-self.weeks), self.first.shift(-1))

    def days(self) -> list[date]:
        return [self.first.monday + timedelta(days=n) for n in range(7 * self.weeks)]
