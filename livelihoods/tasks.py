"""Celery tasks of livelihoods: ISO dates in, one service call, retries only for lost
connections."""

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError

from livelihoods.services.credit import loans_overdue_signal

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def loans_overdue_sweep(as_of: str | None = None) -> int:
    """Overdue micro-credit instalments become department-style signals (beat, daily)."""
    return loans_overdue_signal(as_of=datetime.date.fromisoformat(as_of) if as_of else None)
