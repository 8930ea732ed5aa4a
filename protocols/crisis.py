"""Crisis detection: a spike of complaints or negative items about the same subject.

Every minute the beat counts, per subject word, the conversations with a
complaint, crisis or clearly negative inbound message in the last window, and
compares the count with the subject's usual rate over the previous week. A
subject well above its usual rate (``MOSTRADOR_CRISIS_FACTOR`` times, and at
least ``MOSTRADOR_CRISIS_MIN_ITEMS`` conversations) raises one crisis alert: the
Community Managers and supervisors are warned, the inbox shows a banner with
the holding statement, until someone closes it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.alerts import alerts_create
from core.memo import forget, read_on_every_page, remembered
from core.models import Alert
from core.roles import Role
from inbox.models import Message
from protocols.matching import fold, words_of
from protocols.models import CrisisAlert, CrisisMention, CrisisScan
from protocols.sentiment import sentiment_score

# Words that say nothing about the subject (Spanish and English).
_STOPWORDS = frozenset(
    [
        "para",
        "pero",
        "porque",
        "como",
        "cuando",
        "donde",
        "desde",
        "hasta",
        "sobre",
        "entre",
        "este",
        "esta",
        "esto",
        "estos",
        "estas",
        "ese",
        "esa",
        "eso",
        "aquel",
        "todo",
        "toda",
        "todos",
        "todas",
        "nada",
        "algo",
        "mucho",
        "mucha",
        "muy",
        "mas",
        "menos",
        "ayer",
        "hoy",
        "manana",
        "siempre",
        "nunca",
        "ahora",
        "hola",
        "gracias",
        "buenas",
        "buenos",
        "dias",
        "tardes",
        "noches",
        "favor",
        "vuestro",
        "vuestra",
        "vuestros",
        "nuestra",
        "nuestro",
        "tienen",
        "tiene",
        "tengo",
        "teneis",
        "hemos",
        "habeis",
        "han",
        "hay",
        "sido",
        "estado",
        "estar",
        "estoy",
        "esta",
        "estan",
        "queja",
        "quejas",
        "reclamacion",
        "with",
        "this",
        "that",
        "have",
        "from",
        "they",
        "were",
        "what",
        "when",
        "your",
        "about",
        "there",
        "their",
        "would",
        "could",
        "should",
        "them",
        "then",
    ]
)
NEGATIVE_CATEGORIES = ("queja", "crisis")


def subjects_of(text: str) -> set[str]:
    return {w for w in words_of(fold(text)) if len(w) >= 4 and not w.isdigit() and w not in _STOPWORDS}


# Messages received this recently are read again on the next run: one whose
# transaction had not committed yet (its id is lower than one already read) is not missed.
SETTLE = timedelta(minutes=5)
HISTORY_DAYS = 7


def _negative(slug: str | None, body: str) -> bool:
    return slug in NEGATIVE_CATEGORIES or (slug is None and sentiment_score(body) <= -0.5)


def crisis_mentions_tally(*, now: datetime, keep_since: datetime) -> int:
    """Record the subjects of the negative inbound messages that arrived since the
    last run (by id, after the ``CrisisScan`` watermark), and forget mentions older
    than ``keep_since``; returns how many messages were read.

    A message is judged negative by its conversation's category when it is read
    (the ingest classifies in the same transaction that stores it), or by its
    sentiment when unclassified. Messages received in the last ``SETTLE`` are read
    again next time (mentions are unique per message and subject), so one whose
    transaction committed after a higher id was read is still counted."""
    scan, _created = CrisisScan.objects.get_or_create(pk=1)
    rows = (
        Message.objects.filter(pk__gt=scan.last_message_id, direction=Message.Direction.IN, created_at__gt=keep_since)
        .filter(Q(conversation__category__slug__in=NEGATIVE_CATEGORIES) | Q(conversation__category__isnull=True))
        .order_by("pk")
        .values_list("pk", "conversation_id", "body", "created_at", "received_at", "conversation__category__slug")
    )
    read, watermark, settled = 0, scan.last_message_id, True
    mentions: list = []
    with transaction.atomic():
        for pk, conversation_id, body, at, received_at, slug in rows.iterator(chunk_size=2000):
            read += 1
            settled = settled and received_at < now - SETTLE
            if settled:
                watermark = pk
            if _negative(slug, body):
                mentions.extend(
                    CrisisMention(subject=subject, conversation_id=conversation_id, message_id=pk, at=at)
                    for subject in subjects_of(body)
                )
            if len(mentions) >= 5000:
                CrisisMention.objects.bulk_create(mentions, ignore_conflicts=True)
                mentions = []
        CrisisMention.objects.bulk_create(mentions, ignore_conflicts=True)
        if watermark != scan.last_message_id:
            CrisisScan.objects.filter(pk=scan.pk).update(last_message_id=watermark)
        CrisisMention.objects.filter(at__lte=keep_since).delete()
    return read


def crisis_detect(*, now: datetime | None = None) -> list[CrisisAlert]:
    """Raise a crisis alert for each subject spiking now; returns the new ones.

    Counts are SQL over ``CrisisMention`` (kept current by ``crisis_mentions_tally``
    from the messages that arrived since the last run), so a run that finds
    nothing new reads only the window's mentions, whatever the history."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.MOSTRADOR_CRISIS_WINDOW_MINUTES)
    history_start = now - window - timedelta(days=HISTORY_DAYS)
    crisis_mentions_tally(now=now, keep_since=history_start)
    recent = CrisisMention.objects.filter(at__gt=now - window, at__lte=now)
    spiking = (
        recent.values("subject")
        .annotate(n=Count("conversation_id", distinct=True))
        .filter(n__gte=settings.MOSTRADOR_CRISIS_MIN_ITEMS)
        .values_list("subject", flat=True)
    )
    candidates: dict[str, set[int]] = defaultdict(set)
    for subject, conversation_id in recent.filter(subject__in=list(spiking)).values_list("subject", "conversation_id"):
        candidates[subject].add(conversation_id)
    if not candidates:
        return []
    usual = _usual_counts(subjects=list(candidates), start=history_start, end=now - window)
    windows = timedelta(days=HISTORY_DAYS) / window
    raised = []
    open_subjects = set(CrisisAlert.objects.filter(closed_at__isnull=True).values_list("subject", flat=True))
    for subject, ids in sorted(candidates.items(), key=lambda kv: -len(kv[1])):
        rate = usual.get(subject, 0) / windows
        if len(ids) < settings.MOSTRADOR_CRISIS_FACTOR * max(rate, 1.0):
            continue
        if subject in open_subjects:
            CrisisAlert.objects.filter(subject=subject, closed_at__isnull=True).update(
                count=len(ids), conversation_ids=sorted(ids)[:200], last_seen_at=now
            )
            _banner_forget()
            continue
        try:
            with transaction.atomic():
                alert = CrisisAlert.objects.create(
                    subject=subject,
                    count=len(ids),
                    window_minutes=settings.MOSTRADOR_CRISIS_WINDOW_MINUTES,
                    usual=round(rate, 3),
                    conversation_ids=sorted(ids)[:200],
                    last_seen_at=now,
                )
        except IntegrityError:  # another sweep raised it a moment ago
            continue
        _banner_forget()
        _warn(alert)
        raised.append(alert)
    return raised


# A subject's usual rate is a week's average: counted again at most this often.
USUAL_TTL = timedelta(minutes=10)


def _usual_counts(*, subjects: list[str], start: datetime, end: datetime) -> dict[str, int]:
    """subject → conversations that mentioned it between ``start`` and ``end`` (the
    week before the window). A week's count barely moves in ten minutes, so each is
    cached for ``USUAL_TTL``: most runs read only the window's mentions."""
    bucket = int(end.timestamp() // USUAL_TTL.total_seconds())
    keys = {f"crisis:usual:{bucket}:{hashlib.sha1(s.encode()).hexdigest()}": s for s in subjects}  # noqa: S324
    cached = cache.get_many(list(keys))
    counts = {keys[key]: n for key, n in cached.items()}
    missing = [s for s in subjects if s not in counts]
    if missing:
        found = dict(
            CrisisMention.objects.filter(subject__in=missing, at__gt=start, at__lte=end)
            .values("subject")
            .annotate(n=Count("conversation_id", distinct=True))
            .values_list("subject", "n")
        )
        fresh = {s: found.get(s, 0) for s in missing}
        cache.set_many(
            {key: fresh[s] for key, s in keys.items() if s in fresh}, timeout=int(USUAL_TTL.total_seconds()) + 60
        )
        counts.update(fresh)
    return counts


def _warn(alert: CrisisAlert) -> None:
    from django.contrib.auth import get_user_model

    people = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.COMMUNITY_MANAGER, Role.SUPERVISOR])
        .distinct()
    )
    text = _("Possible crisis: «%(subject)s», %(count)s conversations in %(minutes)s min (usually %(usual).1f)") % {
        "subject": alert.subject,
        "count": alert.count,
        "minutes": alert.window_minutes,
        "usual": alert.usual,
    }
    alerts_create(alerts=(Alert(recipient=person, kind=Alert.Kind.CRISIS, text=text[:300]) for person in people))


def crisis_close(*, alert: CrisisAlert, by) -> CrisisAlert:
    CrisisAlert.objects.filter(pk=alert.pk, closed_at__isnull=True).update(closed_at=timezone.now(), closed_by=by)
    _banner_forget()
    alert.refresh_from_db()
    return alert


def crises_open():
    return CrisisAlert.objects.filter(closed_at__isnull=True)


OPEN_CRISES = "open_crises"
read_on_every_page(OPEN_CRISES, per_user=False)


def crises_banner() -> list[CrisisAlert]:
    """The open crisis alerts every page's banner shows, at most three (remembered;
    forgotten whenever one is raised, updated or closed)."""
    return remembered(OPEN_CRISES, 0, lambda: list(crises_open()[:3]))


def _banner_forget() -> None:
    forget(OPEN_CRISES, 0)
