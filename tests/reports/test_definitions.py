"""Each definition of the weekly report on hand-built data with known answers."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from protocols.models import Category, CrisisAlert
from quality.models import ReviewItem
from quality.services import review_create, review_queue_build
from reports.selectors import Scope, report_build
from reports.sources import KEPT, RAW
from reports.weeks import Period, Week
from tests.reports.helpers import at, received, replied, resolved

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
CRITERIA = ["answered", "tone", "protocol", "spelling", "on_time"]
W47 = Period(Week.parse("2026-W47"), Week.parse("2026-W47"))  # Mon 16 – Mon 23 November 2026


def local(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=MADRID)


def both(period=W47, **kwargs):
    """The report from the kept tables, checked against the raw computation."""
    kept = report_build(period=period, source=KEPT, **kwargs)
    assert report_build(period=period, source=RAW, **kwargs) == kept
    return kept


def test_the_week_is_monday_to_monday_local_dst_included():
    week = Week.parse("2026-W43")
    assert week.start == datetime(2026, 10, 19, 0, 0, tzinfo=MADRID)
    utc = ZoneInfo("UTC")
    assert week.end.astimezone(utc) - week.start.astimezone(utc) == timedelta(hours=169)  # 25 October: 25 hours
    assert Week.last_complete(datetime(2026, 11, 25, 9, tzinfo=MADRID)).label == "2026-W47"
    assert Week.last_complete(datetime(2026, 11, 23, 0, 30, tzinfo=MADRID)).label == "2026-W47"
    assert Week.last_complete(datetime(2026, 11, 22, 23, 30, tzinfo=MADRID)).label == "2026-W46"
    with pytest.raises(ValueError):
        Week.parse("2026-47")


def test_counts_rate_and_percentiles_exactly_as_percentile_cont(default_protocol, fake_channel, gestor, time_machine):
    # Answered after 60, 120, 300 and 1000 seconds; one question unanswered; one comment needing no reply.
    waits = [60, 120, 300, 1000]
    for n, wait in enumerate(waits):
        start = local(17, 10, n)
        conversation = received(fake_channel, "¿Abrís el domingo?", start)
        replied(conversation, gestor, start + timedelta(seconds=wait))
    received(fake_channel, "¿Tenéis pan sin gluten?", local(18, 11))
    received(fake_channel, "¡Gracias! Felicidades por el aniversario", local(18, 12))
    time_machine.move_to(local(25, 9), tick=False)

    report = both()
    assert report["conversations"] == 6
    assert report["needing_reply"] == 5
    assert report["answered"] == 4
    assert report["response_rate"] == 0.8
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x), percentile_cont(0.9) WITHIN GROUP (ORDER BY x) "
            "FROM unnest(%s::float8[]) x",
            [waits],
        )
        p50, p90 = cursor.fetchone()
    assert (p50, round(p90, 6)) == (210.0, 790.0)  # linear interpolation
    assert report["first_response_seconds"]["p50"] == 210
    assert report["first_response_seconds"]["p90"] == 790
    assert report["first_response_seconds"]["mean"] == 370
    # Consultas run on the 24/7 calendar: business time is calendar time.
    assert report["first_response_seconds"]["business_p50"] == 210
    assert report["unanswered"]["count"] == 1
    assert report["unanswered"]["oldest_waiting_since"] == local(18, 11)
    assert report["unanswered"]["over_24h"] == 1


def test_business_seconds_follow_each_conversations_calendar(default_protocol, fake_channel, gestor, time_machine):
    # A suggestion (shop hours Mon–Fri 9–14, 16–19, Sat 10–14) on Friday 18:30, answered on Monday
    # 9:30: 63 hours on the clock, five of business time (18:30–19:00, Saturday 10–14, 9:00–9:30).
    suggestion = received(fake_channel, "Una sugerencia: abrid los domingos", local(20, 18, 30))
    assert suggestion.category.slug == "sugerencia"
    replied(suggestion, gestor, local(23, 9, 30))
    time_machine.move_to(local(25, 9), tick=False)
    report = both()
    assert report["first_response_seconds"]["p50"] == 63 * 3600
    assert report["first_response_seconds"]["business_p50"] == 5 * 3600


def test_sunday_2330_answered_on_monday_belongs_to_its_week(default_protocol, fake_channel, gestor, time_machine):
    conversation = received(fake_channel, "¿Abrís mañana?", local(22, 23, 30))
    replied(conversation, gestor, local(23, 0, 10))
    time_machine.move_to(local(25, 9), tick=False)
    w47 = both()
    w48 = both(Period(Week.parse("2026-W48"), Week.parse("2026-W48")))
    assert (w47["conversations"], w47["answered"], w47["first_response_seconds"]["p50"]) == (1, 1, 40 * 60)
    assert w48["conversations"] == 0
    # The inbound message is in Sunday's 23:00 cell; the reply counts on Monday, in W48.
    assert w47["volume_by_hour"][6][23] == 1
    assert w48["gestores"][0]["replies"] == 1 and not w47["gestores"][0]["replies"]
    # Sunday 23:30 is outside shop hours.
    assert w47["off_hours"]["inbound_off_hours"] == 1
    assert w47["off_hours"]["median_first_response_outside"] == 40 * 60


def test_a_dst_week_counts_the_repeated_hour(default_protocol, fake_channel, gestor, time_machine):
    # 25 October 2026: 02:30 local happens twice (CEST, then CET).
    first = datetime(2026, 10, 25, 0, 30, tzinfo=ZoneInfo("UTC"))  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("UTC"))  # 02:30 CET
    received(fake_channel, "¿Abrís hoy?", first)
    received(fake_channel, "¿Abrís hoy de verdad?", second)
    time_machine.move_to(local(25, 9), tick=False)
    report = both(Period(Week.parse("2026-W43"), Week.parse("2026-W43")))
    assert report["conversations"] == 2
    assert report["volume_by_hour"][6][2] == 2


def test_sla_met_and_breached_by_channel_category_assignee_and_team(
    default_protocol, fake_channel, gestor, gestor2, time_machine
):
    from teams.models import Team

    team = Team.objects.create(name="Redes")
    team.channels.add(fake_channel)
    # A complaint answered in 30 min (met, 60 min target) and one after 2 h (breached).
    quick = received(fake_channel, "Pongo una queja: me habéis cobrado dos veces", local(17, 10))
    replied(quick, gestor, local(17, 10, 30))
    slow = received(fake_channel, "Pongo una queja: el pan llegó duro", local(17, 11))
    replied(slow, gestor2, local(17, 13))
    time_machine.move_to(local(25, 9), tick=False)
    sla = both()["sla"]
    assert (sla["met"], sla["breached"], sla["compliance"]) == (1, 1, 0.5)
    queja = Category.objects.get(slug="queja")
    assert [(r["id"], r["met"], r["breached"]) for r in sla["by_category"]] == [(queja.pk, 1, 1)]
    assert sorted((r["id"], r["met"], r["breached"]) for r in sla["by_assignee"]) == sorted(
        [(gestor.pk, 1, 0), (gestor2.pk, 0, 1)]
    )
    assert [(r["name"], r["compliance"]) for r in sla["by_team"]] == [("Redes", 0.5)]
    assert [(r["id"], r["compliance"]) for r in sla["by_channel"]] == [(fake_channel.pk, 0.5)]


def test_per_gestor_rows_and_the_quality_score(
    default_protocol, fake_channel, gestor, gestor2, supervisor, time_machine
):
    a = received(fake_channel, "¿Abrís el domingo?", local(17, 10))
    a = replied(a, gestor, local(17, 10, 5))
    b = received(fake_channel, "¿Y el lunes?", local(18, 10))
    replied(b, gestor, local(18, 11))
    resolved(a, gestor2, local(17, 12))
    time_machine.move_to(local(25, 9), tick=False)
    rows = {row["id"]: row for row in both()["gestores"]}
    assert rows[gestor.pk]["replies"] == 2
    assert rows[gestor.pk]["median_first_response"] == 1950  # 5 min and 50 min
    assert rows[gestor2.pk]["resolved"] == 1
    assert rows[gestor.pk]["quality_score"] is None  # no reviews yet
    assert rows[gestor.pk]["quality_reviews"] == 0

    # Both replies are reviewed: all yes (1.0) and half the points (0.5).
    assert review_queue_build(monday=local(16, 0).date()) == 2
    items = list(ReviewItem.objects.order_by("pk"))
    review_create(item=items[0], by=supervisor, scores=dict.fromkeys(CRITERIA, 2))
    review_create(item=items[1], by=supervisor, scores=dict.fromkeys(CRITERIA, 1))
    rows = {row["id"]: row for row in both()["gestores"]}
    assert rows[gestor.pk]["quality_score"] == 0.75
    assert rows[gestor.pk]["quality_reviews"] == 2
    assert rows[gestor2.pk]["quality_score"] is None
    # The week before has none: reviews count in the week the reply was sent.
    before = Period(Week.parse("2026-W46"), Week.parse("2026-W46"))
    assert all(row["quality_score"] is None for row in both(period=before)["gestores"])
    # A channel the reviewed conversations are not on: no score.
    other = both(scope=Scope(channel_ids=[fake_channel.pk + 1000], own_user_id=None))["gestores"]
    assert all(row["quality_score"] is None for row in other)


def test_crises_measure_the_silence_after_detection(default_protocol, fake_channel, gestor, time_machine):
    conversation = received(fake_channel, "Pongo una queja: accidente en la pista", local(18, 9))
    time_machine.move_to(local(18, 9, 10), tick=False)
    alert = CrisisAlert.objects.create(
        subject="accidente",
        count=6,
        window_minutes=60,
        usual=1.0,
        conversation_ids=[conversation.pk],
        last_seen_at=local(18, 9, 10),
    )
    replied(conversation, gestor, local(18, 12, 10))
    time_machine.move_to(local(25, 9), tick=False)
    crises = both()["crises"]
    assert [(c["id"], c["silence_seconds"], c["late"]) for c in crises] == [(alert.pk, 3 * 3600, True)]


def test_hidden_items_are_listed_with_who_hid_them(default_protocol, fake_channel, supervisor, time_machine):
    from inbox.models import Message

    conversation = received(fake_channel, "Sois unos impresentables", local(19, 20))
    Message.objects.filter(conversation=conversation).update(
        hidden_at=local(19, 21), hidden_by=supervisor, hidden_reason="insulto"
    )
    time_machine.move_to(local(25, 9), tick=False)
    hidden = both()["hidden"]
    assert [(h["conversation_id"], h["reason"], h["hidden_by"]) for h in hidden] == [
        (conversation.pk, "insulto", supervisor.get_full_name() or supervisor.username)
    ]


def test_previous_week_and_four_week_trend(default_protocol, fake_channel, gestor, time_machine):
    for day in (3, 10, 17):  # W45, W46, W47
        conversation = received(fake_channel, "¿Abrís el domingo?", local(day, 10))
        replied(conversation, gestor, local(day, 10, 10))
    received(fake_channel, "¿Tenéis pan sin gluten?", local(18, 10))
    time_machine.move_to(local(25, 9), tick=False)
    report = both()
    assert report["previous"]["week"] == "2026-W46"
    assert (report["previous"]["conversations"], report["previous"]["response_rate"]) == (1, 1.0)
    assert [(w["week"], w["conversations"]) for w in report["trend"]] == [
        ("2026-W44", 0),
        ("2026-W45", 1),
        ("2026-W46", 1),
        ("2026-W47", 2),
    ]


def test_cached_figures_follow_every_change_in_their_week(default_protocol, fake_channel, gestor, time_machine):
    question = received(fake_channel, "¿Abrís el domingo?", local(17, 10))
    time_machine.move_to(local(25, 9), tick=False)
    first = report_build(period=W47)
    assert (first["answered"], first["conversations"]) == (0, 1)
    assert report_build(period=W47) == first  # from the cache
    # A late answer and a new question in W47: the week's figures change, and so does the report.
    replied(question, gestor, local(25, 9, 30))
    received(fake_channel, "¿Y el sábado?", local(18, 12))
    time_machine.move_to(local(25, 10), tick=False)
    again = report_build(period=W47)
    assert (again["answered"], again["conversations"]) == (1, 2)
    assert again == report_build(period=W47, use_cache=False) == report_build(period=W47, source=RAW)


def test_ratings_count_reviews_per_week_and_average_their_stars(default_protocol, fake_channel, owner, time_machine):
    from datetime import UTC

    from channels.connectors.base import ContactRef, InboundItem
    from inbox.models import Message
    from inbox.services.ingest import ReceivedItem, inbound_items_ingest
    from reports import presenting

    def review(review_id, stars, moment, change=""):
        item = InboundItem(
            external_id=review_id,
            thread_key=f"gbp-review:{review_id}",
            is_private=False,
            author=ContactRef(external_id=f"gbp-reviewer:{review_id}"),
            body=f"{'★' * stars}{'☆' * (5 - stars)} {stars}/5",
            created_at=moment,
            change=change,
            rating=stars,
        )
        with at(moment):
            inbound_items_ingest(received=[ReceivedItem(fake_channel, item, moment)])

    review("r1", 5, local(17, 10))
    review("r2", 2, local(18, 10))
    review("r3", 4, local(19, 10))
    review("r3", 3, local(19, 10), change="edited")  # its author lowered it: the last stars count
    review("r4", 1, local(20, 10))
    Message.objects.filter(external_id="r4").update(removed_at=datetime(2026, 11, 21, tzinfo=UTC))  # deleted on Google
    review("r0", 1, local(10, 10))  # W46
    time_machine.move_to(local(25, 9), tick=False)
    report = both()
    assert report["ratings"]["reviews"] == 3 and report["ratings"]["average_stars"] == 3.33
    weeks = {w["week"]: w for w in report["ratings"]["weeks"]}
    assert (weeks["2026-W47"]["reviews"], weeks["2026-W47"]["average_stars"]) == (3, 3.33)
    assert (weeks["2026-W46"]["reviews"], weeks["2026-W46"]["average_stars"]) == (1, 1.0)
    assert (weeks["2026-W45"]["reviews"], weeks["2026-W45"]["average_stars"]) == (0, None)
    header, rows = presenting.table(report, "ratings")
    assert header == ["week", "start", "reviews", "average_stars"] and rows[-1][0] == "2026-W47"
    assert rows[-1][2:] == [3, 3.33]
