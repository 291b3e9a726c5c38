from celery import shared_task

from audit.services import audit_trail_purge
from core.transient import TRANSIENT_DB_ERRORS


# Retried for a lost connection only; a refusal by the audit trigger is not transient.
@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=5)
def purge_audit_trail() -> dict[str, int]:
    """Nightly: drop the audit rows past DIXIAN_AUDIT_RETENTION_DAYS (never under 183 days)."""
    return audit_trail_purge()
