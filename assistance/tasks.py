"""Celery tasks of assistance: thin, one service call, retries only for lost connections."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from assistance.services import referrals

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def referral_expire_overdue() -> int:
    """Every referral past its answer's due time goes back to the cadres (beat, every 15 min)."""
    return referrals.referral_expire_overdue()
