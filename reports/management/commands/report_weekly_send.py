from django.core.management.base import BaseCommand, CommandError

from reports.services import report_weekly_send
from reports.weeks import Week


class Command(BaseCommand):
    help = "Send the weekly report by e-mail now (default: the week just ended), once per person per week."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="ISO week, e.g. 2026-W47")
        parser.add_argument("--to", nargs="+", help="usernames or addresses (default: the owners and who opted in)")
        parser.add_argument("--force", action="store_true", help="send again to who already got this week's")

    def handle(self, *args, week=None, to=None, force=False, **options):
        try:
            chosen = Week.parse(week) if week else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        results = report_weekly_send(week=chosen, to=to, force=force)
        for result in results:
            state = "sent" if result.sent else "already sent (use --force to send again)"
            self.stdout.write(f"{result.user.username} <{result.user.email}>: {state}")
        self.stdout.write(self.style.SUCCESS(f"{sum(r.sent for r in results)} e-mail(s) sent."))
