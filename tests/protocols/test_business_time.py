"""Business-hours clocks across nights, weekends, holidays and daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from protocols.business_time import Calendar, business_add, business_elapsed, is_open, parse_hours

MADRID = ZoneInfo("Europe/Madrid")
SHOP = Calendar(
    time_zone="Europe/Madrid",
    always_open=False,
    hours=parse_hours({str(d): [["09:00", "14:00"], ["16:00", "19:00"]] for d in range(5)}),
    holidays=frozenset({date(2026, 12, 8)}),
)
ALWAYS = Calendar(always_open=True)


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def test_inside_hours_the_clock_runs_in_real_time():
    assert business_add(SHOP, madrid(2026, 11, 24, 10, 0), timedelta(hours=2)) == madrid(2026, 11, 24, 12, 0)


def test_the_lunch_break_and_the_night_do_not_count():
    # 13:00 + 2 h: one hour before lunch, one after it.
    assert business_add(SHOP, madrid(2026, 11, 24, 13, 0), timedelta(hours=2)) == madrid(2026, 11, 24, 17, 0)
    # 18:30 + 1 h: half an hour tonight, half an hour tomorrow morning.
    assert business_add(SHOP, madrid(2026, 11, 24, 18, 30), timedelta(hours=1)) == madrid(2026, 11, 25, 9, 30)


def test_a_message_on_friday_evening_is_due_on_monday():
    friday_evening = madrid(2026, 11, 27, 22, 0)
    assert business_add(SHOP, friday_evening, timedelta(hours=4)) == madrid(2026, 11, 30, 13, 0)
    assert business_elapsed(SHOP, friday_evening, madrid(2026, 11, 30, 13, 0)) == timedelta(hours=4)


def test_a_holiday_is_skipped():
    # Monday 7 Dec 18:00 + 2 h → 1 h on Monday, Tuesday 8 Dec is a holiday, 1 h on Wednesday.
    assert business_add(SHOP, madrid(2026, 12, 7, 18, 0), timedelta(hours=2)) == madrid(2026, 12, 9, 10, 0)


def test_opening_hours_keep_their_length_across_the_spring_change():
    # Sunday 29 March 2026 the clocks go 02:00 → 03:00 in Madrid; Monday opens at 09:00 local time.
    saturday = madrid(2026, 3, 28, 12, 0)
    due = business_add(SHOP, saturday, timedelta(hours=1))
    assert due == madrid(2026, 3, 30, 10, 0)
    assert due.astimezone(UTC).hour == 8  # CEST: UTC+2


def test_a_24_7_clock_counts_the_real_hours_of_a_dst_night():
    # 25 October 2026: 03:00 CEST → 02:00 CET, so the night has 25 hours.
    evening = madrid(2026, 10, 24, 22, 0)
    assert business_add(ALWAYS, evening, timedelta(hours=6)).astimezone(MADRID) == madrid(2026, 10, 25, 3, 0)
    assert business_elapsed(ALWAYS, madrid(2026, 10, 25, 0, 0), madrid(2026, 10, 26, 0, 0)) == timedelta(hours=25)
    assert business_elapsed(ALWAYS, madrid(2026, 3, 29, 0, 0), madrid(2026, 3, 30, 0, 0)) == timedelta(hours=23)


def test_business_hours_across_the_autumn_change():
    friday = madrid(2026, 10, 23, 18, 0)
    assert business_add(SHOP, friday, timedelta(hours=2)) == madrid(2026, 10, 26, 10, 0)
    assert business_add(SHOP, friday, timedelta(hours=2)).astimezone(UTC).hour == 9  # CET: UTC+1


def test_shifts_that_end_at_midnight():
    night = Calendar(always_open=False, hours=parse_hours({"5": [["20:00", "00:00"]]}))
    assert business_add(night, madrid(2026, 11, 28, 23, 0), timedelta(hours=2)) == madrid(2026, 12, 5, 21, 0)


def test_elapsed_is_zero_when_closed_and_when_reversed():
    assert business_elapsed(SHOP, madrid(2026, 11, 28, 10), madrid(2026, 11, 29, 20)) == timedelta(0)
    assert business_elapsed(SHOP, madrid(2026, 11, 25, 10), madrid(2026, 11, 24, 10)) == timedelta(0)


def test_is_open():
    assert is_open(SHOP, madrid(2026, 11, 24, 10, 0))
    assert not is_open(SHOP, madrid(2026, 11, 24, 15, 0))
    assert not is_open(SHOP, madrid(2026, 12, 8, 10, 0))


@pytest.mark.parametrize(
    "raw",
    [{"7": [["09:00", "10:00"]]}, {"0": [["10:00", "09:00"]]}, {"0": [["9h", "10:00"]]}],
)
def test_bad_hours_are_refused(raw):
    with pytest.raises(ValueError):
        parse_hours(raw)


def test_a_calendar_that_never_opens_is_an_error():
    closed = Calendar(always_open=False, hours={})
    with pytest.raises(ValueError):
        business_add(closed, madrid(2026, 11, 24, 10), timedelta(minutes=1))


def test_parse_hours_sorts_intervals():
    assert parse_hours({"0": [["16:00", "19:00"], ["09:00", "14:00"]]})[0][0] == (time(9), time(14))
