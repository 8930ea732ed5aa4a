"""Celery tasks of listening: thin wrappers that call services."""

from celery import shared_task

from listening import services


@shared_task
def watches_poll_due_task() -> int:
    due = services.watches_due()
    for watch_id in due:
        watch_poll_task.delay(watch_id)
    return len(due)


@shared_task
def watch_poll_task(watch_id: int) -> int:
    return services.watch_poll(watch_id=watch_id)
