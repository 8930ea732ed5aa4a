"""Celery tasks of listening: thin wrappers that call services."""

from celery import shared_task

from core.queue import dispatch
from listening import services


@shared_task
def watches_poll_due_task() -> int:
    due = services.watches_due()
    for watch_id in due:
        dispatch(watch_poll_task, args=(watch_id,))
    return len(due)


@shared_task
def watch_poll_task(watch_id: int) -> int:
    return services.watch_poll(watch_id=watch_id)
