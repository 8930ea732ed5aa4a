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

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.alerts import alerts_create
from core.models import Alert
from core.roles import Role
from inbox.models import Message
from protocols.matching import fold, words_of
from protocols.models import CrisisAlert
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


def _negative_messages(start: datetime, end: datetime):
    rows = (
        Message.objects.filter(direction=Message.Direction.IN, created_at__gt=start, created_at__lte=end)
        .filter(Q(conversation__category__slug__in=NEGATIVE_CATEGORIES) | Q(conversation__category__isnull=True))
        .values_list("conversation_id", "body", "conversation__category__slug")
    )
    for conversation_id, body, slug in rows.iterator(chunk_size=2000):
        if slug in NEGATIVE_CATEGORIES or sentiment_score(body) <= -0.5:
            yield conversation_id, body


def crisis_detect(*, now: datetime | None = None) -> list[CrisisAlert]:
    """Raise a crisis alert for each subject spiking now; returns the new ones."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.MOSTRADOR_CRISIS_WINDOW_MINUTES)
    by_subject: dict[str, set[int]] = defaultdict(set)
    for conversation_id, body in _negative_messages(now - window, now):
        for subject in subjects_of(body):
            by_subject[subject].add(conversation_id)
    candidates = {s: ids for s, ids in by_subject.items() if len(ids) >= settings.MOSTRADOR_CRISIS_MIN_ITEMS}
    if not candidates:
        return []
    history_days = 7
    usual: dict[str, set[int]] = defaultdict(set)
    for conversation_id, body in _negative_messages(now - window - timedelta(days=history_days), now - window):
        for subject in subjects_of(body) & candidates.keys():
            usual[subject].add(conversation_id)
    windows = timedelta(days=history_days) / window
    raised = []
    open_subjects = set(CrisisAlert.objects.filter(closed_at__isnull=True).values_list("subject", flat=True))
    for subject, ids in sorted(candidates.items(), key=lambda kv: -len(kv[1])):
        rate = len(usual[subject]) / windows
        if len(ids) < settings.MOSTRADOR_CRISIS_FACTOR * max(rate, 1.0):
            continue
        if subject in open_subjects:
            CrisisAlert.objects.filter(subject=subject, closed_at__isnull=True).update(
                count=len(ids), conversation_ids=sorted(ids)[:200], last_seen_at=now
            )
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
        _warn(alert)
        raised.append(alert)
    return raised


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
    alert.refresh_from_db()
    return alert


def crises_open():
    return CrisisAlert.objects.filter(closed_at__isnull=True)
