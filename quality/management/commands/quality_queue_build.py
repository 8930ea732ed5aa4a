from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quality.services import review_queue_build, week_monday


class Command(BaseCommand):
    help = "Queue a week's replies for quality review (once per week; the beat does it every Monday)."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="an ISO week like 2026-W47 (default: the week just ended)")

    def handle(self, *args, week=None, **options):
        from datetime import date

        if week:
            try:
                year, number = week.split("-W")
                monday = date.fromisocalendar(int(year), int(number), 1)
            except ValueError as error:
                raise CommandError(f"{week!r} is not an ISO week like 2026-W47") from error
        else:
            monday = week_monday(timezone.now()) - timedelta(days=7)
        queued = review_queue_build(monday=monday)
        self.stdout.write(f"{monday}: {queued} replies queued for review.")
