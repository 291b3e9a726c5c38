from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    SPREADSHEET = "spreadsheet", _("Spreadsheet export")
    PRINT = "print", _("Printed notice")
    EVIDENCE = "evidence", _("Evidence download")


class ExportEvent(models.Model):
    """One download of registry data: who took what out of the system, when, and from where.

    PIPL asks for a record of who processed personal information; an export is where data leaves
    the system, so the filters and the row count are kept with it. The row is append-only
    (audit/triggers.py)."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ExportKind.choices)
    # Which export: the list's name ("households", "visits", …) or "case-notice".
    name = models.CharField(_("export"), max_length=40)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The region the data came from, so that the audit view shows it to that region's officers:
    # the exporter's scope prefix for a list, the household's village for a notice.
    region_code = models.CharField(_("region"), max_length=12, db_index=True)
    household_number = models.CharField(_("household number"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-at", "-id"]
        permissions = [("view_audit", _("Can view the audit trail"))]

    def __str__(self) -> str:
        return f"{self.user_id} {self.name} {self.at:%Y-%m-%d %H:%M}"
