"""Celery tasks of the inbox: thin wrappers that call services."""

from celery import shared_task

from inbox.services import ingest, replies


@shared_task
def inbound_events_drain_task() -> int:
    return ingest.inbound_events_drain()


@shared_task
def reply_send_task(message_id: int) -> str:
    outcome = replies.reply_send(message_id=message_id)
    if outcome.retry_in is not None:
        replies.reply_dispatch(message_id=message_id, countdown=outcome.retry_in)
    return outcome.message.delivery_status


@shared_task
def replies_requeue_task() -> dict:
    return replies.replies_requeue()
