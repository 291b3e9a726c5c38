"""Registry imports as jobs of the worker: upload, check, confirm, import.

Checking a 20,000-row workbook takes longer than a web request may, so the request only stores
the file and queues its check; the page then follows the job. Every change of a job's state is
a conditional UPDATE on the state it leaves (`_move`), so a confirm sent twice queues one import,
a task delivered twice checks or imports once, and a job cancelled or expired meanwhile is left
alone by the task that comes late.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.queueing import IMPORT_JOB_CHECK, IMPORT_JOB_IMPORT, enqueue_after_commit
from spreadsheets import uploads
from spreadsheets.models import ImportJob
from spreadsheets.services import IMPORT_LOCK, ImportReport, may_import, registry_import
from spreadsheets.workbook import MAX_PROBLEMS, Problem

logger = logging.getLogger(__name__)

Status = ImportJob.Status
# An ended job stays on its owner's page this long, then goes: its problems quote the file's
# cells.
KEEP_ENDED_JOBS_DAYS = 7
# A job the owner may still call off; one being imported runs to its end.
CANCELLABLE = ImportJob.CANCELLABLE


def _move(job_id: int, *, from_: tuple[str, ...], to: str, **fields) -> bool:
    """Move the job to `to` if it is still in one of `from_`: whoever moves it owns the step."""
    return bool(
        ImportJob.objects.filter(pk=job_id, status__in=from_).update(
            status=to, updated_at=timezone.now(), **fields
        )
    )


def import_job_create(*, actor: User, file) -> ImportJob:
    """Keep the uploaded file and queue its check. The owner's earlier jobs that wait for a
    check or a confirm are cancelled: a new upload replaces them, and one user keeps at most
    one check queued."""
    if not may_import(actor):
        raise PermissionDenied(_("Your role may not do this."))
    with transaction.atomic():
        replaced = list(
            ImportJob.objects.select_for_update()
            .filter(owner=actor, status__in=CANCELLABLE)
            .values_list("pk", "file_key")
        )
        if replaced:
            ImportJob.objects.filter(pk__in=[pk for pk, _key in replaced]).update(
                status=Status.CANCELLED, updated_at=timezone.now()
            )
        job = ImportJob.objects.create(
            owner=actor,
            region_id=actor.region_id,
            file_name=file.name[:100],
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        # Written before the commit: a job never points at a file not there. A file whose job
        # is rolled back is swept with the other leftovers.
        uploads.upload_save(job.file_key, file.chunks())

        def delete_replaced() -> None:
            for _pk, key in replaced:
                uploads.upload_delete(key)

        transaction.on_commit(delete_replaced)
        enqueue_after_commit(IMPORT_JOB_CHECK, [job.pk], "celery")
    return job


def import_job_confirm(*, actor: User, job: ImportJob) -> bool:
    """Queue the import of a checked job; False if it is not waiting for a confirm (confirmed
    already, cancelled, expired)."""
    if not may_import(actor) or job.owner_id != actor.pk:
        raise PermissionDenied(_("Your role may not do this."))
    with transaction.atomic():
        claimed = _move(
            job.pk, from_=(Status.CHECKED,), to=Status.IMPORTING, progress_done=0, progress_total=0
        )
        if claimed:
            enqueue_after_commit(IMPORT_JOB_IMPORT, [job.pk], "celery")
    return claimed


def import_job_cancel(*, actor: User, job: ImportJob) -> bool:
    if job.owner_id != actor.pk:
        raise PermissionDenied(_("Your role may not do this."))
    cancelled = _move(job.pk, from_=CANCELLABLE, to=Status.CANCELLED)
    if cancelled:
        uploads.upload_delete(job.file_key)
    return cancelled


def import_job_check(job_id: int) -> str | None:
    """The worker's dry run of a queued job: its counts and problems, then checked (waiting for
    the confirm), done (nothing to import) or failed (problems; the file is deleted).
    A check delivered again after a lost worker starts over: it writes nothing."""
    if not _move(job_id, from_=(Status.QUEUED, Status.CHECKING), to=Status.CHECKING):
        return None
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    content = uploads.upload_read(job.file_key)
    if content is None:
        _fail_lost_file(job, from_=Status.CHECKING)
        return None
    with translation.override(job.language), JobProgress(job_id, Status.CHECKING) as progress:
        report = _registry_import(job, content, dry_run=True, progress=progress)
        status = Status.FAILED if not report.ok else Status.DONE
        if report.ok and report.changes_anything:
            status = Status.CHECKED
        moved = _move(
            job_id, from_=(Status.CHECKING,), to=status, **_report_fields(report, progress)
        )
    if not moved:
        # Cancelled, expired or checked by a twin delivery meanwhile: whoever moved it keeps or
        # deletes the file.
        return None
    if status != Status.CHECKED:
        uploads.upload_delete(job.file_key)
    return status


def import_job_import(job_id: int) -> str | None:
    """The worker's import of a confirmed job: checked again (the registry may have changed
    since), then every row or none, as registry_import does. The job is marked done in the
    import's own transaction, so the rows and the mark are written together or not at all."""
    job = ImportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.status != Status.IMPORTING:
        return None
    content = uploads.upload_read(job.file_key)
    if content is None:
        _fail_lost_file(job, from_=Status.IMPORTING)
        return None
    with translation.override(job.language), JobProgress(job_id, Status.IMPORTING) as progress:
        with transaction.atomic():
            # Imports wait for each other; the one that finds the job still importing once it
            # holds the lock is the one that imports it (a task delivered twice imports once).
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
            if not ImportJob.objects.filter(pk=job_id, status=Status.IMPORTING).exists():
                return None
            report = _registry_import(job, content, dry_run=False, progress=progress)
            status = Status.DONE if report.ok else Status.FAILED
            fields = _report_fields(report, progress)
            if not _move(job_id, from_=(Status.IMPORTING,), to=status, **fields):
                transaction.set_rollback(True)
                return None
    uploads.upload_delete(job.file_key)
    return status


def import_jobs_expire(*, now: datetime.datetime | None = None) -> int:
    """The hourly sweep: jobs that have not moved for IMPORT_FILE_TTL_MINUTES expire (a check
    or confirm never came, a worker was lost), every file no live job needs and older than
    that is deleted, whatever left it behind, and jobs ended a week ago are forgotten."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.IMPORT_FILE_TTL_MINUTES)
    expired = ImportJob.objects.filter(status__in=ImportJob.LIVE, updated_at__lt=cutoff).update(
        status=Status.EXPIRED, updated_at=now
    )
    live = {
        str(key)
        for key in ImportJob.objects.filter(status__in=ImportJob.LIVE).values_list(
            "file_key", flat=True
        )
    }
    deleted = uploads.uploads_sweep(keep=live, older_than=cutoff.timestamp())
    ended_long_ago = ImportJob.objects.filter(
        updated_at__lt=now - datetime.timedelta(days=KEEP_ENDED_JOBS_DAYS)
    ).exclude(status__in=ImportJob.LIVE)
    forgotten = ended_long_ago.delete()[0]
    if expired or deleted or forgotten:
        logger.info(
            "import sweep: %d jobs expired, %d files deleted, %d old jobs deleted",
            expired,
            deleted,
            forgotten,
        )
    return deleted


def _registry_import(job: ImportJob, content: bytes, *, dry_run: bool, progress) -> ImportReport:
    """registry_import for the job's owner, with whatever stops it told as the job's problem:
    the page must show an end, not a check that never finishes. A lost database connection is
    raised for the task to retry; the job waits in its state for it."""
    try:
        return registry_import(actor=job.owner, content=content, dry_run=dry_run, progress=progress)
    except (OperationalError, InterfaceError):
        raise
    except PermissionDenied:
        message = _("Your role may not do this.")
    except Exception:
        logger.exception("import job %s failed", job.pk)
        message = _("The import failed: nothing was saved.")
    return ImportReport(dry_run=dry_run, problems=[Problem(None, "", message)])


def _fail_lost_file(job: ImportJob, *, from_: str) -> None:
    problem = {
        "row": None,
        "column": "",
        "message": _("The uploaded file is no longer here: upload it again."),
    }
    with translation.override(job.language):
        _move(job.pk, from_=(from_,), to=Status.FAILED, problems=[problem], problem_count=1)
    return None


def _report_fields(report: ImportReport, progress: "JobProgress") -> dict:
    return {
        "rows": report.rows,
        "progress_done": progress.done,
        "progress_total": progress.total,
        "households_new": report.households.new,
        "households_changed": report.households.changed,
        "households_unchanged": report.households.unchanged,
        "members_new": report.members.new,
        "members_changed": report.members.changed,
        "members_unchanged": report.members.unchanged,
        "problem_count": len(report.problems),
        "problems": [
            {"row": problem.row, "column": problem.column, "message": str(problem.message)}
            for problem in report.problems[:MAX_PROBLEMS]
        ],
    }


class JobProgress:
    """Writes how far a job has got, every EVERY rows, on a database connection of its own: the
    import's rows are written in one transaction that commits only at its end, and the page
    must see the progress before that. Each write is a conditional UPDATE that lapses once the
    job has left the state it was written for."""

    EVERY = 500

    def __init__(self, job_id: int, status: str):
        self.job_id, self.status = job_id, status
        self.done = self.written = self.total = 0
        self._connection: BaseDatabaseWrapper | None = None

    def __enter__(self) -> "JobProgress":
        self._connection = connections.create_connection(DEFAULT_DB_ALIAS)
        return self

    def __exit__(self, *exc) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._write()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.done - self.written >= self.EVERY:
            self._write()

    def _write(self) -> None:
        self.written = self.done
        if self._connection is None:  # not opened (or closed): nothing to show progress on
            return
        table = ImportJob._meta.db_table
        try:
            with self._connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress_done = %s, progress_total = %s, "  # noqa: S608
                    "updated_at = %s WHERE id = %s AND status = %s",
                    [self.done, self.total, timezone.now(), self.job_id, self.status],
                )
        except Exception:  # progress is for the eye: a lost write must not fail the import
            logger.warning("import job %s: progress not written", self.job_id, exc_info=True)
