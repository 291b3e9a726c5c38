"""Celery tasks of the registry import and of the long exports: a job's id in (never its
content: the messages pass through the broker and its logs), one service call, retries only for
lost connections."""

from celery import shared_task

from core.transient import TRANSIENT_DB_ERRORS
from spreadsheets import export_jobs, jobs


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=5)
def import_job_check(job_id: int) -> str | None:
    return jobs.import_job_check(job_id)


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=5)
def import_job_import(job_id: int) -> str | None:
    return jobs.import_job_import(job_id)


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def import_jobs_expire() -> int:
    return jobs.import_jobs_expire()


@shared_task(bind=True, autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=5)
def export_job_write(self, job_id: int) -> str | None:
    return export_jobs.export_job_write(job_id, writer=self.request.id or "")


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def export_jobs_sweep() -> int:
    return export_jobs.export_jobs_sweep()
