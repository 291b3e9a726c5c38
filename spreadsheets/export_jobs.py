"""List exports too long for a request, written by the worker: asked for, written, downloaded,
swept (docs/spreadsheets.md).

A list of more than settings.EXPORT_IN_REQUEST_ROWS rows (a township's households, a county's
warnings) takes seconds of a core to write; written in a request it holds a web process that
long, and a phone on a weak network may lose the answer. The request keeps the list's filters
and queues the job; the worker reads the rows as the page would show them to the owner, in the
owner's scope and permissions as they are then, and writes the workbook into
settings.EXPORT_DIR; the owner downloads it, as often as a lost connection needs, until it is
past its time, and each download is recorded in the audit trail as an export in a request is.

Every change of a job's state is a conditional UPDATE on the state it leaves (`_move`): the
task that moves a job from queued writes it (again, if that task is retried or delivered again),
the sweep's extra message for it finds it taken, and a job swept meanwhile is left alone by the
task that comes late. The file is written whole or not at all (`.part`, then renamed).
"""

import datetime
import logging
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import export_record
from core.id_like import query_pairs_without_id
from core.queueing import EXPORT_JOB_WRITE, enqueue, enqueue_after_commit
from core.replica import reads_from_replica
from spreadsheets import exports
from spreadsheets.lists import EXPORTABLE, ExportableList, as_asked_by
from spreadsheets.models import ExportJob
from spreadsheets.uploads import EXPORT_FILES

logger = logging.getLogger(__name__)

Status = ExportJob.Status
# Exports one user may have waiting for the worker at once: more is a finger on the button.
MAX_RUNNING_PER_USER = 3
# The two-key advisory lock a user's new export is decided under (the second key: the user).
ASK_LOCK = 0x0E8B_0B5
# A job still queued this long may have been lost by the broker: queued again. One asked for
# this long ago and still queued is given up.
REQUEUE_AFTER_MINUTES = 5
GIVE_UP_AFTER_MINUTES = 60
# A job being written this long has lost its worker (a county's 50,000 rows take about ten
# seconds): it fails, and the owner exports again.
WRITING_LOST_AFTER_MINUTES = 30
# An ended job stays on its owner's page this long, then goes.
KEEP_ENDED_JOBS_DAYS = 7


class ExportRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _move(job_id: int, *, from_: tuple[str, ...], to: str, **fields) -> bool:
    """Move the job to `to` if it is still in one of `from_`: whoever moves it owns the step."""
    return bool(
        ExportJob.objects.filter(pk=job_id, status__in=from_).update(
            status=to, updated_at=timezone.now(), **fields
        )
    )


def export_job_create(*, actor: User, kind: str, params: QueryDict) -> ExportJob:
    """Queue the export of the list `kind` with the page's query parameters (an ID-like value
    left out, as the page leaves it out of its address). The same list asked for again while
    its export waits is that export (a double click, a resent form); a user has at most
    MAX_RUNNING_PER_USER waiting."""
    listing = EXPORTABLE.get(kind)
    if listing is None or not actor.has_perm(listing.permission):
        raise PermissionDenied(_("Your role may not do this."))
    # PostgreSQL's text holds no NUL; the lists ignore one.
    query = urlencode(query_pairs_without_id(params)).replace("%00", "")
    scope_key = ExportJob.scope_of(actor)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ASK_LOCK, actor.pk])
        running = ExportJob.objects.filter(
            owner=actor, scope_key=scope_key, status__in=ExportJob.RUNNING
        )
        same = running.filter(kind=kind, query=query).first()
        if same is not None:
            return same
        if running.count() >= MAX_RUNNING_PER_USER:
            raise ExportRefused(
                _(
                    "%(count)d of your exports are still being written: "
                    "wait until one is ready, then export again."
                )
                % {"count": MAX_RUNNING_PER_USER}
            )
        job = ExportJob.objects.create(
            owner=actor,
            kind=kind,
            query=query,
            scope_key=scope_key,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        enqueue_after_commit(EXPORT_JOB_WRITE, [job.pk], "celery")
    return job


def export_job_write(job_id: int, *, writer: str = "") -> str | None:
    """The worker's part: the rows read and written into the job's file, then the job ready.
    The task that moves the job from queued writes it, and that task again (retried after a
    lost connection, or delivered again after a lost worker) writes it again; another message
    for it finds it taken."""
    taken = Q(status=Status.QUEUED)
    if writer:
        taken |= Q(status=Status.WRITING, writer=writer)
    claimed = ExportJob.objects.filter(taken, pk=job_id).update(
        status=Status.WRITING, writer=writer, updated_at=timezone.now()
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    with translation.override(job.language):
        try:
            listing = _still_allowed(job)
            with reads_from_replica():
                queryset = listing.rows(as_asked_by(job.owner, job.query))
                # The number recorded is the file's, counted as written.
                count = _write(job, listing, queryset, queryset.count())
        except ExportRefused as refused:
            _move(job_id, from_=(Status.WRITING,), to=Status.FAILED, failure=refused.message)
            return Status.FAILED
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            logger.exception("export job %s failed", job_id)
            message = _("The export failed: export the list again, or tell the administrator.")
            _move(job_id, from_=(Status.WRITING,), to=Status.FAILED, failure=message)
            return Status.FAILED
    if not _move(job_id, from_=(Status.WRITING,), to=Status.READY, row_count=count):
        EXPORT_FILES.delete(job.file_key)  # given up as lost meanwhile: the file is nobody's
        return None
    return Status.READY


def _still_allowed(job: ExportJob) -> ExportableList:
    """The job's list, if its owner may still have it: what they may see is decided now, not
    when they asked."""
    owner, listing = job.owner, EXPORTABLE.get(job.kind)
    if (
        listing is None
        or not owner.is_active
        or ExportJob.scope_of(owner) != job.scope_key
        or not owner.has_perm(listing.permission)
    ):
        raise ExportRefused(
            _("Your role or region has changed since you asked: export the list again.")
        )
    return listing


def _write(job: ExportJob, listing: ExportableList, queryset, count: int) -> int:
    """The file written; how many rows it holds."""
    if count > exports.MAX_EXPORT_ROWS:
        raise ExportRefused(exports.too_many_rows(count))
    workbook, written = exports.export_workbook(
        listing.resource(), queryset, title=str(listing.title)
    )
    with workbook:
        EXPORT_FILES.publish(job.file_key, iter(partial(workbook.read, 1 << 20), b""))
    return written


def export_job_download(*, actor: User, job: ExportJob, address: str | None):
    """The ready file, open for reading, its taking recorded in the audit trail as an export
    in a request is; None once it is past its time or gone. `job` is the actor's own
    (selectors.export_jobs_visible_to)."""
    listing = EXPORTABLE.get(job.kind)
    if listing is None or not actor.has_perm(listing.permission):
        raise PermissionDenied(_("Your role may not do this."))
    if not job.is_ready or timezone.now() >= job.kept_until:
        return None
    try:
        file = EXPORT_FILES.path(job.file_key).open("rb")
    except FileNotFoundError:
        return None
    export_record(
        actor=actor,
        address=address,
        filters=dict(QueryDict(job.query).lists()),
        name=job.kind,
        row_count=job.row_count,
    )
    return file


def export_jobs_sweep(*, now: datetime.datetime | None = None) -> int:
    """Every few minutes: queued jobs the broker lost are queued again (and given up after a
    while), jobs whose worker was lost fail, ready files past EXPORT_FILE_TTL_MINUTES are
    deleted with their job expired, files no job needs are deleted, and jobs ended a week ago
    are forgotten. The number of files deleted."""
    now = now or timezone.now()
    lost = ExportJob.objects.filter(
        status=Status.QUEUED, updated_at__lt=now - datetime.timedelta(minutes=REQUEUE_AFTER_MINUTES)
    )
    given_up = lost.filter(created_at__lt=now - datetime.timedelta(minutes=GIVE_UP_AFTER_MINUTES))
    for job in given_up:
        with translation.override(job.language):
            message = _("The export waited too long for a worker: export the list again.")
        _move(job.pk, from_=(Status.QUEUED,), to=Status.FAILED, failure=message)
    for job_id in lost.values_list("pk", flat=True):
        # Queued again, and its time restarted: a job only waiting its turn behind an import
        # gets one more message every REQUEUE_AFTER_MINUTES, and the first to come writes it.
        if _move(job_id, from_=(Status.QUEUED,), to=Status.QUEUED):
            enqueue(EXPORT_JOB_WRITE, [job_id], "celery")
    stalled = ExportJob.objects.filter(
        status=Status.WRITING,
        updated_at__lt=now - datetime.timedelta(minutes=WRITING_LOST_AFTER_MINUTES),
    )
    for job in stalled:
        with translation.override(job.language):
            message = _("The export was interrupted: export the list again.")
        _move(job.pk, from_=(Status.WRITING,), to=Status.FAILED, failure=message)
    ttl = now - datetime.timedelta(minutes=settings.EXPORT_FILE_TTL_MINUTES)
    past_time = list(
        ExportJob.objects.filter(status=Status.READY, updated_at__lt=ttl).values_list(
            "pk", "file_key"
        )
    )
    deleted = 0
    for job_id, key in past_time:
        if _move(job_id, from_=(Status.READY,), to=Status.EXPIRED):
            EXPORT_FILES.delete(key)
            deleted += 1
    needed = {
        str(key)
        for key in ExportJob.objects.filter(
            status__in=(*ExportJob.RUNNING, Status.READY)
        ).values_list("file_key", flat=True)
    }
    # A file younger than a lost writer's time may be one whose job is not committed yet.
    orphans_before = now - datetime.timedelta(minutes=WRITING_LOST_AFTER_MINUTES)
    deleted += EXPORT_FILES.sweep(keep=needed, older_than=orphans_before.timestamp())
    forgotten = ExportJob.objects.filter(
        updated_at__lt=now - datetime.timedelta(days=KEEP_ENDED_JOBS_DAYS),
        status__in=(Status.FAILED, Status.EXPIRED),
    ).delete()[0]
    if deleted or forgotten:
        logger.info("export sweep: %d files deleted, %d old jobs deleted", deleted, forgotten)
    return deleted
