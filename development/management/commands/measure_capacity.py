import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from development.services.capacity import measure_all


class Command(BaseCommand):
    help = "Measure every household's self-development capacity (one reading a household a day)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="The day measured, YYYY-MM-DD (default: today).")
        parser.add_argument("--scope", default="", help="A region's code prefix (default: all).")

    def handle(self, *args, as_of=None, scope="", **options):
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError("--as-of must be a date such as 2026-06-30.") from None
        if scope and not scope.isdigit():
            raise CommandError("--scope must be a region's code prefix (digits).")
        measured = measure_all(as_of=day, scope=scope)
        self.stdout.write(f"{measured} households measured on {day.isoformat()}.")
