import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportJob(models.Model):
    """One uploaded registry workbook on its way through the worker: checked (nothing written),
    confirmed by its owner, imported. The file itself waits in settings.IMPORT_DIR under
    `file_key`; the row keeps what the page shows of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("import job", "Waiting to be checked")
        CHECKING = "checking", pgettext_lazy("import job", "Being checked")
        CHECKED = "checked", pgettext_lazy("import job", "Checked: waiting for your confirmation")
        IMPORTING = "importing", pgettext_lazy("import job", "Being imported")
        DONE = "done", pgettext_lazy("import job", "Finished")
        FAILED = "failed", pgettext_lazy("import job", "Not imported")
        CANCELLED = "cancelled", pgettext_lazy("import job", "Cancelled")
        EXPIRED = "expired", pgettext_lazy("import job", "Expired")

    # The worker is still on it: the page keeps asking how far it has got.
    RUNNING = (Status.QUEUED, Status.CHECKING, Status.IMPORTING)
    # Its file is still needed.
    LIVE = (Status.QUEUED, Status.CHECKING, Status.CHECKED, Status.IMPORTING)
    CANCELLABLE = (Status.QUEUED, Status.CHECKING, Status.CHECKED)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("import job", "uploaded by"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    # The owner's region when uploading: a user moved to another region no longer sees the job.
    region = models.ForeignKey(
        "households.Region",
        verbose_name=_("region"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField(pgettext_lazy("import job", "file"), max_length=100)
    file_key = models.UUIDField(_("stored file"), default=uuid.uuid4, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    # Households and members of the file handled so far by the check or the import.
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in all"), default=0)
    households_new = models.PositiveIntegerField(_("new households"), default=0)
    households_changed = models.PositiveIntegerField(_("changed households"), default=0)
    households_unchanged = models.PositiveIntegerField(_("unchanged households"), default=0)
    members_new = models.PositiveIntegerField(_("new members"), default=0)
    members_changed = models.PositiveIntegerField(_("changed members"), default=0)
    members_unchanged = models.PositiveIntegerField(_("unchanged members"), default=0)
    problem_count = models.PositiveIntegerField(_("problems found"), default=0)
    # The first problems, each {"row", "column", "message"}: the rest are only counted.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("import job", "uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="import_job_owner_recent"),
            models.Index(
                fields=["updated_at"],
                condition=models.Q(status__in=["queued", "checking", "checked", "importing"]),
                name="import_job_live_by_age",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def waits_for_confirmation(self) -> bool:
        return self.status == self.Status.CHECKED

    @property
    def can_cancel(self) -> bool:
        return self.status in self.CANCELLABLE

    @property
    def changes_anything(self) -> bool:
        return any(
            (
                self.households_new,
                self.households_changed,
                self.members_new,
                self.members_changed,
            )
        )

    @property
    def imported(self) -> bool:
        return self.status == self.Status.DONE and self.changes_anything

    @property
    def hidden_problems(self) -> int:
        return max(self.problem_count - len(self.problems), 0)

    @property
    def percent_done(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


class ExportJob(models.Model):
    """A list's export too long to write in a request, written by the worker into
    settings.EXPORT_DIR under `file_key` and kept there for its owner's download. The list is
    read as its page would show it to the owner (the `query` is the page's filters), in the
    owner's scope when the worker writes it."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("export job", "Waiting for a free worker")
        WRITING = "writing", pgettext_lazy("export job", "Being written")
        READY = "ready", pgettext_lazy("export job", "Ready to download")
        FAILED = "failed", pgettext_lazy("export job", "Not written")
        EXPIRED = "expired", pgettext_lazy("export job", "Deleted after its time")

    RUNNING = (Status.QUEUED, Status.WRITING)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("export job", "asked for by"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    # A key of spreadsheets.lists.EXPORTABLE: which list.
    kind = models.CharField(_("list"), max_length=20)
    # The list page's query string: its filters, search and order (never an ID-like value).
    query = models.TextField(_("filters"), blank=True)
    # Whom the rows are read for (`scope_of`): a job is its owner's only while the owner's
    # role, region, partner and superuser flag stay as they were when asking.
    scope_key = models.CharField(_("scope"), max_length=200)
    # The Celery task writing it: the same task retried or delivered again after a lost worker
    # writes it again; another task's message for it (the sweep's) finds it taken.
    writer = models.CharField(_("writer"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file_key = models.UUIDField(_("stored file"), default=uuid.uuid4, unique=True, editable=False)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    # Why it was not written, in the owner's language.
    failure = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("export job", "asked for"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("list export")
        verbose_name_plural = _("list exports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="export_job_owner_recent"),
            models.Index(
                fields=["updated_at"],
                condition=models.Q(status__in=["queued", "writing", "ready"]),
                name="export_job_live_by_age",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"

    @staticmethod
    def scope_of(user) -> str:
        return f"{user.role}|{user.region_id or ''}|{user.partner_id or ''}|{user.is_superuser:d}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def kept_until(self) -> datetime.datetime:
        """When the ready file is no longer given (its last move plus the time files are
        kept); the sweep deletes it soon after."""
        return self.updated_at + datetime.timedelta(minutes=settings.EXPORT_FILE_TTL_MINUTES)
