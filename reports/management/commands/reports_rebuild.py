from django.core.management.base import BaseCommand

from reports.keeping import reports_rebuild


class Command(BaseCommand):
    help = "Refill the weekly report's tables from the raw tables (existing data, or after changing TIME_ZONE)."

    def handle(self, *args, **options):
        for table, rows in reports_rebuild().items():
            self.stdout.write(f"{table}: {rows:,} rows")
