"""A backtest run: the early-warning rules replayed over a region's past month-ends."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BacktestRun(models.Model):
    """One replay of the rules as of each month-end of a period, measured against what happened
    next. Written by its service only (queued, running, done or failed), never edited by hand,
    so it carries no history of its own (as a scan run)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    region = models.ForeignKey(
        "households.Region", on_delete=models.PROTECT, verbose_name=_("region")
    )
    period_start = models.DateField(_("first month-end"))
    period_end = models.DateField(_("last month-end"))
    horizon_months = models.PositiveSmallIntegerField(_("horizon (months)"))
    # Configuration B: rule settings proposed over the county's own (A, as they stood then).
    proposed = models.JSONField(_("proposed rule settings"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    months_done = models.PositiveSmallIntegerField(_("month-ends replayed"), default=0)
    months_total = models.PositiveSmallIntegerField(_("month-ends"), default=0)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    started_at = models.DateTimeField(_("running since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)

    class Meta:
        verbose_name = _("backtest run")
        verbose_name_plural = _("backtest runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period_start:%Y-%m}–{self.period_end:%Y-%m}"
