from celery import shared_task

from reports.services import report_weekly_send


@shared_task
def report_weekly_send_task() -> int:
    """Monday 08:00 local (the beat): the week just ended, to each recipient once."""
    return sum(result.sent for result in report_weekly_send())
