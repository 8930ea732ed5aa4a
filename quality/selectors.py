"""Reads of quality review: whose reviews a person sees, the unread count, scores per gestor."""

from __future__ import annotations

from datetime import date

from django.db.models import Avg, Count, QuerySet

from core import roles
from core.memo import read_on_every_page, remembered
from quality.models import Review, ReviewItem
from quality.services import UNREAD

read_on_every_page(UNREAD)
READERS_OF_ALL = {roles.Role.SUPERVISOR, roles.Role.COMMUNITY_MANAGER, roles.Role.OWNER}


def reviews_visible(*, user) -> QuerySet[Review]:
    """Supervisors, the CM and the owner see every review; anyone else only their own."""
    reviews = Review.objects.select_related("gestor", "reviewer", "item__message", "item__conversation", "proposal")
    if roles.has_any_role(user, READERS_OF_ALL):
        return reviews
    return reviews.filter(gestor=user)


def reviews_unread_count(*, user) -> int:
    """Reviews of ``user`` not yet acknowledged (remembered; forgotten when one is made or acknowledged)."""
    return remembered(UNREAD, user.pk, lambda: Review.objects.filter(gestor=user, acknowledged_at__isnull=True).count())


def queue_pending() -> QuerySet[ReviewItem]:
    return ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).select_related(
        "gestor", "message", "conversation__channel"
    )


def quality_scores(*, first_monday: date, end_monday: date, channel_ids: list[int] | None) -> dict[int, dict]:
    """Per gestor, over the reviews of replies sent in the weeks from ``first_monday``
    up to (not including) ``end_monday``: ``score`` (the mean review score, 0–1) and ``reviews``."""
    reviews = Review.objects.filter(monday__gte=first_monday, monday__lt=end_monday)
    if channel_ids is not None:
        reviews = reviews.filter(item__conversation__channel_id__in=channel_ids)
    return {
        row["gestor_id"]: {"score": round(row["mean"], 4), "reviews": row["n"]}
        for row in reviews.values("gestor_id").annotate(mean=Avg("score"), n=Count("pk"))
    }
