"""Quality review: building the weekly queue, scoring a reply, acknowledging a review.

The queue of a week holds, per gestor, every reply they sent that week that a
check (spelling, tone, sensitive topics) warns about, plus a deterministic
sample of the others (``QualitySettings.sample_size``; the same replies however
often it is built). It is built once per week: a ``ReviewWeek`` row, unique, is
written in the same transaction, so the beat or the command running twice adds
nothing the second time.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from core.memo import forget
from inbox.models import Message
from protocols.checks import reply_findings
from protocols.manual import ProposalRefused, case_propose
from protocols.models import Category
from quality.models import DEFAULT_CRITERIA, SCORE_MAX, Criterion, QualitySettings, Review, ReviewItem, ReviewWeek

UNREAD = "unread_reviews"


class ReviewRefused(Exception):
    """The review cannot be saved as asked; the message says why."""


def week_monday(moment: datetime | date) -> date:
    """The Monday (business time zone) of the ISO week ``moment`` falls in."""
    day = moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00, local time (so 167 or 169 hours across a DST change)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(monday, time(0), zone), datetime.combine(monday + timedelta(days=7), time(0), zone)


def _rank(monday: date, message_id: int) -> str:
    """The sampling order: a hash of the week and the reply, stable across runs and databases."""
    return hashlib.sha256(f"{monday.isoformat()}:{message_id}".encode()).hexdigest()


def review_queue_build(*, monday: date) -> int:
    """Queue the week starting ``monday`` for review (once); return how many replies were queued."""
    start, end = week_bounds(monday)
    size = QualitySettings.current().sample_size
    try:
        with transaction.atomic():
            ReviewWeek.objects.create(monday=monday, sample_size=size)
            replies = list(
                Message.objects.filter(
                    direction=Message.Direction.OUT,
                    delivery_status=Message.DeliveryStatus.SENT,
                    sent_at__gte=start,
                    sent_at__lt=end,
                    sender__groups__name=roles.Role.GESTOR,
                ).values_list("pk", "sender_id", "conversation_id", "body")
            )
            by_gestor: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
            for pk, sender, conversation, body in replies:
                by_gestor[sender].append((pk, conversation, body))
            items = []
            for gestor, theirs in by_gestor.items():
                theirs.sort(key=lambda reply: _rank(monday, reply[0]))
                sampled = 0
                for pk, conversation, body in theirs:
                    warned = [{"kind": f.kind, "message": f.message} for f in reply_findings(body)]
                    if not warned:  # the sample is drawn from the replies no check warned about
                        if sampled >= size:
                            continue
                        sampled += 1
                    items.append(
                        ReviewItem(
                            message_id=pk,
                            conversation_id=conversation,
                            gestor_id=gestor,
                            monday=monday,
                            reason=ReviewItem.Reason.CHECK if warned else ReviewItem.Reason.SAMPLE,
                            findings=warned,
                        )
                    )
            # A reply queued by hand (or by an older run) keeps its row.
            made = ReviewItem.objects.bulk_create(items, ignore_conflicts=True)
            return len(made)
    except IntegrityError:
        return 0  # this week's queue was built already


def rubric() -> list[Criterion]:
    """The active criteria, in order; the defaults are installed if the rubric was never set
    (the migration does it too, but a flushed test database has none)."""
    if not Criterion.objects.exists():
        for position, key in enumerate(DEFAULT_CRITERIA):
            Criterion.objects.get_or_create(key=key, defaults={"position": position})
    return list(Criterion.objects.filter(active=True))


def review_create(
    *,
    item: ReviewItem,
    by,
    scores: dict[str, int],
    comment: str = "",
    case_category: Category | None = None,
    case_text: str = "",
) -> Review:
    """Score ``item``'s reply on the active rubric (each criterion 0, 1 or 2) and,
    given ``case_text``, propose it to the manual as a new case. Raises
    ``ReviewRefused`` (already reviewed, a criterion missing or out of range, a
    case without category) and ``PermissionError`` (not a supervisor or the CM)."""
    if not roles.can_assign(by):
        raise PermissionError
    criteria = rubric()
    if not criteria:
        raise ReviewRefused(_("The rubric has no active criteria."))
    scored: list[dict] = []
    points = 0
    for criterion in criteria:
        value = scores.get(criterion.key)
        if value is None or isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SCORE_MAX:
            raise ReviewRefused(_("Score “%(name)s” with 0, 1 or 2.") % {"name": criterion.name})
        scored.append({"key": criterion.key, "name": criterion.label, "score": value})
        points += value
    unknown = set(scores) - {c.key for c in criteria}
    if unknown:
        raise ReviewRefused(_("Unknown criteria: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
    case_text = case_text.strip()
    if case_text and case_category is None:
        raise ReviewRefused(_("Choose the category of the new case."))
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().select_related("conversation").get(pk=item.pk)
        if item.status == ReviewItem.Status.REVIEWED:
            raise ReviewRefused(_("This reply was reviewed already."))
        proposal = None
        if case_text and case_category is not None:
            try:
                proposal = case_propose(category=case_category, text=case_text, by=by, conversation=item.conversation)
            except ProposalRefused as refused:
                raise ReviewRefused(str(refused)) from refused
        review = Review.objects.create(
            item=item,
            gestor_id=item.gestor_id,
            reviewer=by,
            monday=item.monday,
            scores=scored,
            score=round(points / (SCORE_MAX * len(scored)), 4),
            comment=comment.strip(),
            proposal=proposal,
        )
        item.status = ReviewItem.Status.REVIEWED
        item.save(update_fields=["status"])
        forget(UNREAD, item.gestor_id)
    return review


def review_acknowledge(*, review: Review, by) -> Review:
    """The reviewed person says they read it (again: nothing changes). Raises PermissionError for anyone else."""
    if review.gestor_id != by.pk:
        raise PermissionError
    with transaction.atomic():
        updated = Review.objects.filter(pk=review.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now()
        )
        if updated:
            forget(UNREAD, by.pk)
    review.refresh_from_db(fields=["acknowledged_at"])
    return review


def criterion_add(*, label: str) -> Criterion:
    """A new line at the end of the rubric; its key is made from the label. Raises ReviewRefused when empty."""
    from django.utils.text import slugify

    label = label.strip()
    base = slugify(label)[:26] or "criterion"
    if not label:
        raise ReviewRefused(_("Name the criterion."))
    key, n = base, 2
    while Criterion.objects.filter(key=key).exists():
        key, n = f"{base}-{n}", n + 1
    last = Criterion.objects.order_by("-position").values_list("position", flat=True).first()
    return Criterion.objects.create(key=key, label=label, position=(last or 0) + 1)
