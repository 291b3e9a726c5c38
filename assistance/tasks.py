"""Celery tasks of assistance: ISO dates in, one service call, retries only for lost
connections."""

import datetime

from celery import shared_task

from assistance.services import delegations, referrals
from assistance.services.deadlines import deadline_reminders_send as _sweep
from core.transient import TRANSIENT_DB_ERRORS


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def referral_expire_overdue() -> int:
    """Every referral past its answer's due time goes back to the cadres (beat, every 15 min)."""
    return referrals.referral_expire_overdue()


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def deadline_reminders_send(as_of: str | None = None) -> dict:
    result = _sweep(as_of=datetime.date.fromisoformat(as_of) if as_of else None)
    return {
        "reminded": result.reminded,
        "overdue": result.overdue,
        "escalated": result.escalated,
        "notifications": result.notifications,
    }


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def delegation_notices_send(as_of: str | None = None) -> dict:
    """Delegations run out and about to run out with steps waiting (beat, daily)."""
    return delegations.delegation_notices_send(
        as_of=datetime.date.fromisoformat(as_of) if as_of else None
    )
