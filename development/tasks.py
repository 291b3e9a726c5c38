"""Celery tasks: ids and ISO dates in, one service call, retries only for lost connections."""

import datetime

from celery import shared_task
from django.utils import timezone

from core.transient import TRANSIENT_DB_ERRORS
from development.services.capacity import measure_all


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def measure_capacity_monthly(as_of: str | None = None) -> int:
    """Every household's self-development capacity, measured on the day (beat: each month-end)."""
    if as_of:
        return measure_all(as_of=datetime.date.fromisoformat(as_of))
    today = timezone.localdate()
    # Beat runs on the 28th to the 31st: only the month's last day measures.
    if (today + datetime.timedelta(days=1)).day != 1:
        return 0
    return measure_all(as_of=today)
