from django.core.management.base import BaseCommand
from django.utils import timezone

from monitoring.evaluation_failures import failures_retry_now
from monitoring.selectors import evaluation_failures_listed


class Command(BaseCommand):
    help = (
        "List the households whose evaluation fails (docs/operations.md); with --retry, have the "
        "next sweep try them all again (after a fix is deployed)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry", action="store_true", help="Try every one again at the next sweep."
        )

    def handle(self, *args, retry=False, **options):
        failures = list(evaluation_failures_listed())
        for failure in failures:
            first = timezone.localtime(failure["first_failed_at"])
            last = timezone.localtime(failure["last_failed_at"])
            self.stdout.write(
                f"household {failure['household_id']} (number {failure['number']}, village "
                f"{failure['village']}): failed {failure['failures']} times, "
                f"first {first:%Y-%m-%d %H:%M}, last {last:%Y-%m-%d %H:%M}: {failure['error']}"
            )
        if retry:
            self.stdout.write(f"{failures_retry_now()} tried again at the next sweep.")
        elif not failures:
            self.stdout.write("No household's evaluation is failing.")
