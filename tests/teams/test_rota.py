"""Who is on shift: across midnight, daylight-saving changes, absences, holidays, extra shifts; coverage and gaps."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from teams.rota import Rota, WeeklyShift, coverage, on_shift, shift_ends, shifts_now

MADRID = ZoneInfo("Europe/Madrid")
ANA, BEA, CAR = 1, 2, 3


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def rota(**kwargs) -> Rota:
    shifts = [
        *(WeeklyShift(ANA, day, time(7), time(15)) for day in range(7)),
        *(WeeklyShift(BEA, day, time(15), time(23)) for day in range(7)),
        *(WeeklyShift(CAR, day, time(23), time(7)) for day in range(7)),
    ]
    return Rota(time_zone="Europe/Madrid", shifts=tuple(kwargs.pop("shifts", shifts)), **kwargs)


def test_day_evening_and_a_night_that_crosses_midnight():
    r = rota()
    assert on_shift(r, madrid(2026, 11, 24, 10, 0)) == {ANA}
    assert on_shift(r, madrid(2026, 11, 24, 15, 0)) == {BEA}  # ends are exclusive
    assert on_shift(r, madrid(2026, 11, 24, 23, 30)) == {CAR}
    assert on_shift(r, madrid(2026, 11, 25, 6, 59)) == {CAR}  # Tuesday's night shift, on Wednesday morning


def test_the_night_the_clocks_go_forward():
    # 29 March 2026: 02:00 → 03:00. Saturday's 23:00–07:00 night is 7 real hours.
    r = rota(shifts=[WeeklyShift(CAR, 5, time(23), time(7))])
    assert on_shift(r, madrid(2026, 3, 29, 3, 30)) == {CAR}
    assert on_shift(r, madrid(2026, 3, 29, 7, 0)) == set()
    night = coverage(r, madrid(2026, 3, 28, 23, 0), madrid(2026, 3, 29, 7, 0))
    assert len(night.slots) == 14 and night.percent == 100.0


def test_the_night_the_clocks_go_back():
    # 25 October 2026: 03:00 → 02:00. Saturday's night is 9 real hours, 02:30 happens twice.
    r = rota(shifts=[WeeklyShift(CAR, 5, time(23), time(7))])
    first = datetime(2026, 10, 25, 2, 30, tzinfo=MADRID, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=MADRID, fold=1)
    assert on_shift(r, first) == {CAR} and on_shift(r, second) == {CAR}
    assert shift_ends(r, CAR, first) - first == timedelta(hours=5, minutes=30)
    night = coverage(r, madrid(2026, 10, 24, 23, 0), madrid(2026, 10, 25, 7, 0))
    assert len(night.slots) == 18 and night.percent == 100.0


def test_absences_and_public_holidays_take_people_off_and_extra_shifts_put_them_on():
    r = rota(
        absences={ANA: ((date(2026, 11, 23), date(2026, 11, 27)),)},
        holidays=frozenset({date(2026, 12, 8)}),
        extra=((BEA, madrid(2026, 12, 8, 9, 0), madrid(2026, 12, 8, 14, 0)),),
    )
    assert on_shift(r, madrid(2026, 11, 24, 10, 0)) == set()
    assert on_shift(r, madrid(2026, 11, 28, 10, 0)) == {ANA}
    assert on_shift(r, madrid(2026, 12, 8, 10, 0)) == {BEA}
    assert on_shift(r, madrid(2026, 12, 8, 16, 0)) == set()  # the holiday's regular shifts do not run
    # Monday 7 Dec's night shift started before the holiday: it runs into the 8th.
    assert on_shift(r, madrid(2026, 12, 8, 3, 0)) == {CAR}


def test_back_to_back_shifts_end_at_the_last_one():
    r = rota(shifts=[WeeklyShift(ANA, 1, time(7), time(15)), WeeklyShift(ANA, 1, time(15), time(23))])
    assert shift_ends(r, ANA, madrid(2026, 11, 24, 10, 0)) == madrid(2026, 11, 24, 23, 0)
    assert shift_ends(r, ANA, madrid(2026, 11, 24, 23, 30)) is None


def test_coverage_shows_the_gaps():
    # Nobody on Sunday night (Sunday 23:00 → Monday 07:00).
    shifts = [s for s in rota().shifts if not (s.member_id == CAR and s.weekday == 6)]
    week = coverage(rota(shifts=shifts), madrid(2026, 11, 23, 0, 0), madrid(2026, 11, 30, 0, 0))
    # Monday's small hours belong to the Sunday night before: a gap too.
    assert week.gaps() == [
        (madrid(2026, 11, 23, 0, 0), madrid(2026, 11, 23, 7, 0)),
        (madrid(2026, 11, 29, 23, 0), madrid(2026, 11, 30, 0, 0)),
    ]
    assert week.percent == round(100 * (336 - 14 - 2) / 336, 1)


def test_back_to_back_shifts_cover_a_slot_together_whatever_the_start():
    # A window starting at :48 cuts every slot across a shift change; it is still covered.
    week = coverage(rota(), madrid(2026, 11, 24, 10, 48), madrid(2026, 12, 1, 10, 48))
    assert week.gaps() == [] and week.percent == 100.0


def test_shifts_now_agrees_with_on_shift_and_shift_ends():
    """Every 37 minutes over the week the clocks go forward, with an extra shift and an absence."""
    week = rota(
        extra=((ANA, madrid(2026, 3, 28, 20), madrid(2026, 3, 29, 1)),),
        absences={BEA: ((date(2026, 3, 27), date(2026, 3, 27)),)},
    )
    moment = madrid(2026, 3, 26, 0)
    while moment < madrid(2026, 4, 1, 0):
        working = on_shift(week, moment)
        assert shifts_now(week, moment) == {m: shift_ends(week, m, moment) for m in working}
        moment += timedelta(minutes=37)
