"""Crisis detection: a spike about one subject against its usual rate."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Alert
from protocols.crisis import crisis_detect, subjects_of
from protocols.models import CrisisAlert
from tests.protocols.helpers import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_rates():
    from django.core.cache import cache

    cache.clear()  # the usual rates are cached for minutes: each test starts from none


def test_subjects_ignore_accents_and_filler():
    assert subjects_of("¡Una QUEJA por la intoxicación de ayer!") == {"intoxicacion"}


def test_a_spike_raises_one_crisis_and_warns_cm_and_supervisors(default_protocol, web_channel, cm, supervisor, gestor):
    now = timezone.now()
    for n in range(6):
        deliver(web_channel, f"Queja: la tarta de fresa me sentó fatal ({n})", at=now - timedelta(minutes=n * 5))
    raised = crisis_detect(now=now)
    subjects = {c.subject for c in raised}
    assert "fresa" in subjects
    fresa = CrisisAlert.objects.get(subject="fresa")
    assert fresa.count == 6 and fresa.usual == 0
    warned = set(
        Alert.objects.filter(kind="crisis", conversation__isnull=True).values_list("recipient__username", flat=True)
    )
    assert warned == {"cm", "supervisor"}
    # Still spiking a minute later: the same alert, updated, nobody warned twice.
    assert crisis_detect(now=now + timedelta(minutes=1)) == []
    assert CrisisAlert.objects.filter(subject="fresa").count() == 1


def test_the_usual_rate_is_not_a_crisis(default_protocol, web_channel, cm, settings):
    now = timezone.now()
    # "envío" complaints are an everyday matter: ~2 an hour all week.
    for hour in range(1, 7 * 24, 1):
        for n in range(2):
            deliver(web_channel, f"Queja: el envío llega tarde {hour}-{n}", at=now - timedelta(hours=hour, minutes=n))
    for n in range(5):
        deliver(web_channel, f"Queja: otro envío tarde {n}", at=now - timedelta(minutes=n))
    assert "envio" not in {c.subject for c in crisis_detect(now=now)}


def test_below_the_minimum_nothing_happens(default_protocol, web_channel):
    for n in range(4):
        deliver(web_channel, f"Queja: el horno roto {n}")
    assert crisis_detect() == []


def test_the_banner_shows_until_a_supervisor_closes_it(default_protocol, client, gestor, supervisor):
    crisis = CrisisAlert.objects.create(
        subject="fresa", count=6, window_minutes=60, usual=0, last_seen_at=timezone.now()
    )
    client.force_login(gestor)
    page = client.get(reverse("inbox:list")).content.decode()
    assert 'data-testid="crisis-banner"' in page and "fresa" in page
    assert client.post(reverse("protocols:crisis-close", args=[crisis.pk])).status_code == 403
    client.force_login(supervisor)
    client.post(reverse("protocols:crisis-close", args=[crisis.pk]))
    crisis.refresh_from_db()
    assert crisis.closed_by == supervisor
    assert 'data-testid="crisis-banner"' not in client.get(reverse("inbox:list")).content.decode()


def test_each_run_reads_only_what_arrived_since_the_last(default_protocol, web_channel):
    from protocols.crisis import crisis_mentions_tally
    from protocols.models import CrisisMention, CrisisScan

    now = timezone.now()
    for n in range(3):
        deliver(web_channel, f"Queja: el roscón llegó aplastado ({n})", at=now - timedelta(minutes=n))
    later = now + timedelta(minutes=10)  # their transactions are long settled by then
    keep = later - timedelta(days=8)
    assert crisis_mentions_tally(now=later, keep_since=keep) == 3
    assert set(CrisisMention.objects.values_list("subject", flat=True)) == {"roscon", "llego", "aplastado"}
    assert crisis_mentions_tally(now=later, keep_since=keep) == 0  # nothing new: nothing read
    deliver(web_channel, "Queja: el roscón otra vez", at=now)
    # Just received: read, and read again next time in case a lower id commits late; counted once.
    assert crisis_mentions_tally(now=now, keep_since=keep) == 1
    assert crisis_mentions_tally(now=now, keep_since=keep) == 1
    assert CrisisMention.objects.filter(subject="roscon").count() == 4
    assert crisis_mentions_tally(now=later, keep_since=keep) == 1
    assert crisis_mentions_tally(now=later, keep_since=keep) == 0
    assert CrisisScan.objects.get().last_message_id == CrisisMention.objects.latest("message_id").message_id
    # A week later the mentions are forgotten.
    crisis_mentions_tally(now=later, keep_since=later)
    assert not CrisisMention.objects.exists()


def test_only_negative_messages_are_mentioned(default_protocol, web_channel):
    from protocols.crisis import crisis_mentions_tally
    from protocols.models import CrisisMention

    deliver(web_channel, "¿Abrís el domingo por la mañana?")
    deliver(web_channel, "Queja: la tarta de fresa me sentó fatal")
    later = timezone.now() + timedelta(minutes=10)
    crisis_mentions_tally(now=later, keep_since=later - timedelta(days=8))
    assert "domingo" not in set(CrisisMention.objects.values_list("subject", flat=True))
    assert CrisisMention.objects.filter(subject="fresa").exists()


def test_the_usual_rate_is_counted_again_every_few_minutes(default_protocol, web_channel, settings):
    from protocols import crisis

    now = timezone.now()
    for n in range(5):
        deliver(web_channel, f"Queja: la tarta de fresa me sentó fatal ({n})", at=now - timedelta(minutes=n))
    for hour in range(2, 30):
        deliver(web_channel, f"Queja: otra vez la fresa {hour}", at=now - timedelta(hours=hour))
    crisis.crisis_mentions_tally(now=now, keep_since=now - timedelta(days=8))
    counts = crisis._usual_counts(subjects=["fresa"], start=now - timedelta(days=7), end=now - timedelta(hours=1))
    assert counts == {"fresa": 28}
    for hour in range(30, 40):
        deliver(web_channel, f"Queja: otra vez la fresa {hour}", at=now - timedelta(hours=hour))
    crisis.crisis_mentions_tally(now=now, keep_since=now - timedelta(days=8))
    again = crisis._usual_counts(subjects=["fresa"], start=now - timedelta(days=7), end=now - timedelta(hours=1))
    assert again == {"fresa": 28}  # the same ten minutes: cached
    later = now + crisis.USUAL_TTL
    fresh = crisis._usual_counts(subjects=["fresa"], start=later - timedelta(days=7), end=later - timedelta(hours=1))
    assert fresh == {"fresa": 38}
