"""Celery tasks of the connectors: thin wrappers that call services."""

from celery import shared_task

from channels import polling
from core.queue import dispatch


@shared_task
def channels_poll_due_task() -> int:
    """Queue one poll per due channel; each runs on its own, so a slow network
    never holds the others back."""
    due = polling.channels_due_poll()
    for channel_id in due:
        dispatch(channel_poll_task, args=(channel_id,))
    return len(due)


@shared_task
def channel_poll_task(channel_id: int) -> str:
    return polling.channel_poll(channel_id=channel_id).status
