from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from quality.services import review_queue_build, week_monday


@shared_task
def review_queue_build_task() -> int:
    """Monday morning (the beat): queue the week just ended for review, once."""
    return review_queue_build(monday=week_monday(timezone.now()) - timedelta(days=7))
