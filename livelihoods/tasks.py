"""Celery tasks of livelihoods: ISO dates in, one service call, retries only for lost
connections."""

import datetime

from celery import shared_task

from core.transient import TRANSIENT_DB_ERRORS
from livelihoods.services.credit import loans_overdue_signal


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def loans_overdue_sweep(as_of: str | None = None) -> int:
    """Overdue micro-credit instalments become department-style signals (beat, daily)."""
    return loans_overdue_signal(as_of=datetime.date.fromisoformat(as_of) if as_of else None)
