"""Pre-aggregated figures behind the dashboards.

A county of a million households cannot be counted on every page view, so a periodic refresh
(dashboards/refresh.py) counts everything once per village and rolls the counts up to every
region above it. A dashboard then reads the few hundred rows of one region and its children.
Every figure counts households or things belonging to one household, so sums over villages are
exact.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Figure(models.Model):
    region_code = models.CharField(_("region"), max_length=12)
    level = models.CharField(_("level"), max_length=10)
    metric = models.CharField(_("figure"), max_length=40)
    key = models.CharField(_("key"), max_length=60, blank=True)
    # First day of the month for a monthly series; empty for a figure of the day of the refresh.
    month = models.DateField(_("month"), null=True, blank=True)
    value = models.BigIntegerField(_("value"), default=0)
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        permissions = [("view_dashboard", _("Can see the dashboards"))]
        # No unique key: the refresh rewrites every row in one locked transaction.
        indexes = [
            # One region's figures.
            models.Index(fields=["region_code", "metric"], name="figure_region"),
            # The children of a region: one level, under its prefix.
            models.Index(
                fields=["level", "metric", "region_code"],
                name="figure_children",
                opclasses=["text_pattern_ops", "text_pattern_ops", "text_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.metric} {self.key} {self.month or ''} = {self.value}"


class FigureRefresh(models.Model):
    """One refresh of the figures: when it counted, as of which day, how long it took."""

    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    seconds = models.FloatField(_("seconds"))
    rows = models.PositiveIntegerField(_("rows"))

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"{self.as_of} {self.finished_at:%Y-%m-%d %H:%M} ({self.seconds:.1f} s)"
