"""The report from the kept tables gives exactly the raw computation's figures."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from reports.keeping import reports_rebuild
from reports.selectors import report_build
from reports.sources import KEPT, RAW
from reports.weeks import Period, Week
from tests.factories import ChannelFactory
from tests.reports.helpers import received, replied, resolved

pytestmark = pytest.mark.django_db(transaction=True)

MADRID = ZoneInfo("Europe/Madrid")
TEXTS = [
    "¿Abrís el domingo?",
    "Pongo una queja: me habéis cobrado dos veces",
    "Una sugerencia: abrid los domingos",
    "¡Gracias! Felicidades por el aniversario",
    "¿Tenéis pan sin gluten?",
]


def _history(channels, people, *, start: datetime, days: int, seed: int = 7):
    """Random conversations over ``days`` from ``start``: some answered at once, some
    hours later, some never; some resolved; across the DST change of 25 October 2026."""
    rng = random.Random(seed)
    moments = sorted(start + timedelta(minutes=rng.randrange(days * 24 * 60)) for _ in range(60))
    for n, moment in enumerate(moments):
        channel = channels[n % len(channels)]
        conversation = received(channel, rng.choice(TEXTS), moment)
        fate = rng.random()
        if fate < 0.75:
            later = moment + timedelta(minutes=rng.choice([3, 20, 95, 400, 1500, 3000]), seconds=rng.randrange(60))
            conversation = replied(conversation, rng.choice(people), later)
            if rng.random() < 0.3:
                received(channel, "¿Y el sábado?", later + timedelta(hours=1), thread=conversation.thread_key)
            if rng.random() < 0.5:
                resolved(conversation, rng.choice(people), later + timedelta(hours=rng.randrange(1, 60)))


def test_kept_tables_equal_the_raw_computation_dst_week_included(
    default_protocol, fake_channel, gestor, gestor2, time_machine
):
    other = ChannelFactory(kind="fake", name="Fake 2", key="fake-2", credentials={"secret": "s"})
    # Three weeks around the change to winter time (Sunday 25 October 2026, 03:00 → 02:00).
    start = datetime(2026, 10, 12, 0, 0, tzinfo=MADRID)
    _history([fake_channel, other], [gestor, gestor2], start=start, days=21)
    # Sunday 23:30 in the DST week, answered on Monday: in the DST week, answered the week after.
    sunday = datetime(2026, 10, 25, 23, 30, tzinfo=MADRID)
    conversation = received(fake_channel, "¿Abrís mañana?", sunday)
    replied(conversation, gestor, datetime(2026, 10, 26, 9, 15, tzinfo=MADRID))
    time_machine.move_to(datetime(2026, 11, 20, 12, 0, tzinfo=MADRID), tick=False)

    for first, last in [("2026-W43", "2026-W43"), ("2026-W42", "2026-W44"), ("2026-W44", "2026-W44")]:
        period = Period(Week.parse(first), Week.parse(last))
        kept = report_build(period=period, source=KEPT)
        raw = report_build(period=period, source=RAW)
        assert kept == raw, period.label
    dst = report_build(period=Period(Week.parse("2026-W43"), Week.parse("2026-W43")))
    assert dst["conversations"] > 10
    assert sum(map(sum, dst["volume_by_hour"])) >= dst["conversations"]
    assert dst["sla"]["met"] + dst["sla"]["breached"] > 0
    assert any(row["replies"] for row in dst["gestores"])

    # The rebuild gives the same tables the hooks kept.
    before = report_build(period=Period(Week.parse("2026-W42"), Week.parse("2026-W44")))
    reports_rebuild()
    assert report_build(period=Period(Week.parse("2026-W42"), Week.parse("2026-W44"))) == before


def test_the_python_aggregation_of_the_demo_database_gives_the_same_report(
    default_protocol, fake_channel, gestor, gestor2, time_machine
):
    """Without PostgreSQL (make run's SQLite) the same tables are aggregated in Python."""
    from django.utils import timezone

    from reports import selectors

    other = ChannelFactory(kind="fake", name="Fake 2", key="fake-2", credentials={"secret": "s"})
    _history([fake_channel, other], [gestor, gestor2], start=datetime(2026, 10, 12, 0, 0, tzinfo=MADRID), days=21)
    time_machine.move_to(datetime(2026, 11, 20, 12, 0, tzinfo=MADRID), tick=False)
    period = Period(Week.parse("2026-W43"), Week.parse("2026-W43"))
    previous = period.previous()
    trend = [period.last.shift(-n) for n in range(3, -1, -1)]
    wanted = [(period.start, period.end), (previous.start, previous.end)] + [(w.start, w.end) for w in trend]
    buckets = list(dict.fromkeys(wanted))
    now = timezone.now()
    in_python = selectors._assemble(
        period, previous, trend, wanted, buckets, selectors.EVERYTHING, now,
        *selectors._portable(period, buckets, None, now),
    )  # fmt: skip
    assert in_python == report_build(period=period, now=now, use_cache=False)
