"""Celery tasks of core: thin wrappers that call services."""

from celery import shared_task

from core.alerts import alerts_email


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def alerts_email_task() -> int:
    """Send the alert e-mails owed (after commit, and every minute from the beat)."""
    return alerts_email()
