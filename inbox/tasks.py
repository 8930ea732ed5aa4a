"""Celery tasks of the inbox: thin wrappers that call services."""

from celery import shared_task

from inbox.services import contacts, ingest, lookups, media, replies


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


@shared_task
def attachment_copies_settle_task(message_ids: list[int]) -> int:
    return media.attachment_copies_settle(message_ids=message_ids)


@shared_task
def contact_profiles_fetch_task(contact_ids: list[int]) -> int:
    return contacts.contact_profiles_fetch(contact_ids=contact_ids)


@shared_task
def item_lookups_settle_task(keys: list[list]) -> int:
    return lookups.item_lookups_settle(keys=[(int(channel_id), str(external_id)) for channel_id, external_id in keys])


@shared_task
def inbound_follow_ups_sweep_task() -> dict:
    """The durable debts of ingest that no task settled: picture copies, profile reads, lookups."""
    return {
        "copies": media.attachment_copies_settle(),
        "profiles": contacts.contact_profiles_fetch(),
        "lookups": lookups.item_lookups_settle(),
    }
