from celery import shared_task
from django.db import InterfaceError, OperationalError

from audit.services import audit_trail_purge


# Retried for a lost connection only; a refusal by the audit trigger is not transient.
@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def purge_audit_trail() -> dict[str, int]:
    """Nightly: drop the audit rows past DIXIAN_AUDIT_RETENTION_DAYS (never under 183 days)."""
    return audit_trail_purge()
