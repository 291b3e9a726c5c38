"""Celery tasks of the registry import: a job's id in (never its content: the messages pass
through the broker and its logs), one service call, retries only for lost connections."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from spreadsheets import jobs

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def import_job_check(job_id: int) -> str | None:
    return jobs.import_job_check(job_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def import_job_import(job_id: int) -> str | None:
    return jobs.import_job_import(job_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def import_jobs_expire() -> int:
    return jobs.import_jobs_expire()
