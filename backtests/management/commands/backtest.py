"""Replay the early warning over a region's past month-ends and print the report.

    manage.py backtest --region 620423 --from 2025-01 --to 2026-10 [--horizon 12] [--compare b.json]

Runs in the foreground (no worker needed) and keeps the run, as the page would.
"""

import datetime
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backtests import services
from backtests.report import FIGURES, report_rows


def _month(value: str) -> datetime.date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        raise CommandError(services.month_error()) from None


class Command(BaseCommand):
    help = "Backtest the early-warning rules over a region's history and print the report."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="620423, or a 12-digit code")
        parser.add_argument("--from", dest="first", required=True, help="2025-01")
        parser.add_argument("--to", dest="last", required=True, help="2026-10")
        parser.add_argument("--horizon", type=int, default=12, help="months (1-24)")
        parser.add_argument("--compare", help="a JSON file of proposed rule settings")

    def handle(self, *args, **options):
        proposed = None
        if options["compare"]:
            try:
                proposed = json.loads(Path(options["compare"]).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(str(error)) from None
        try:
            run = services.backtest_start(
                actor=None,
                region_code=options["region"],
                period_start=_month(options["first"]),
                period_end=_month(options["last"]),
                horizon_months=options["horizon"],
                proposed=proposed,
                queue=False,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        run = services.backtest_run(run.pk)
        figures = run.figures
        self.stdout.write(
            f"run {run.pk}: {figures['households']} households, {len(figures['month_ends'])} "
            f"month-ends, {figures['enrolments']} enrolments, {figures['shocks']} shocks, "
            f"{run.seconds} s"
        )
        configs = list(figures["configs"])
        header = ["rule"] + [f"{key} {name}" for key, _label in FIGURES for name in configs]
        self.stdout.write("\t".join(header))
        for row in report_rows(run, overall=True) + report_rows(run):
            cells = [row.code]
            for _label, values in row.lines:
                cells.extend(values)
            self.stdout.write("\t".join(cells))
