"""Celery tasks of the dashboards: one service call, retried only for lost connections."""

from celery import shared_task

from core.transient import TRANSIENT_DB_ERRORS
from dashboards.refresh import figures_refresh


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def refresh_figures() -> dict:
    result = figures_refresh()
    return {"as_of": result.as_of.isoformat(), "rows": result.rows, "skipped": result.skipped}
