"""Each member's work, recorded per month: on a visit, by import or over the API."""

import pghistory
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WorkStatus(models.TextChoices):
    WORKING = "working", _("Working")
    SEEKING = "seeking", _("Looking for work")
    NOT_WORKING = "not_working", _("Not working")
    STUDYING = "studying", _("In school or training")
    UNABLE = "unable", _("Unable to work")


class WorkPlace(models.TextChoices):
    HOME_VILLAGE = "village", _("In the home village")
    COUNTY = "county", _("Elsewhere in the county")
    PROVINCE = "province", _("Elsewhere in the province")
    OUTSIDE = "outside", _("Outside the province")


class Sector(models.TextChoices):
    FARMING = "farming", _("Farming, forestry, herding")
    CONSTRUCTION = "construction", _("Construction")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    SERVICES = "services", _("Services and trade")
    PUBLIC_POST = "public_post", _("Public-welfare post")
    OTHER = "other", _("Other")


class IncomeBand(models.TextChoices):
    """Monthly pay, in yuan: asked as a band, as people answer it on a visit."""

    UNDER_1000 = "lt1000", _("Under ¥1,000")
    FROM_1000 = "1000_3000", _("¥1,000 to ¥3,000")
    FROM_3000 = "3000_5000", _("¥3,000 to ¥5,000")
    OVER_5000 = "gt5000", _("Over ¥5,000")


class WorkSource(models.TextChoices):
    VISIT = "visit", _("Monitoring visit")
    IMPORT = "import", _("Import")
    API = "api", _("Department system")
    FORM = "form", _("Entered by hand")


@pghistory.track()
class WorkRecord(models.Model):
    """What one member of working age did for work in one month."""

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="work_records",
        verbose_name=_("household"),
    )
    member = models.ForeignKey(
        "households.Member",
        on_delete=models.PROTECT,
        related_name="work_records",
        verbose_name=_("member"),
    )
    # The first day of the month the record is about.
    month = models.DateField(_("month"))
    status = models.CharField(_("work status"), max_length=12, choices=WorkStatus.choices)
    place = models.CharField(
        _("where"), max_length=10, choices=WorkPlace.choices, blank=True, default=""
    )
    sector = models.CharField(
        _("sector"), max_length=14, choices=Sector.choices, blank=True, default=""
    )
    employer = models.CharField(_("employer"), max_length=100, blank=True, default="")
    income_band = models.CharField(
        _("monthly pay"), max_length=10, choices=IncomeBand.choices, blank=True, default=""
    )
    working_since = models.DateField(_("working there since"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=WorkSource.choices)
    visit = models.ForeignKey(
        "monitoring.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_records",
        verbose_name=_("recorded on the visit"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, validators=[MinValueValidator(1)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work record")
        verbose_name_plural = _("work records")
        ordering = ["-month", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="one_work_record_a_month"),
            models.CheckConstraint(
                condition=Q(month__day=1), name="work_record_month_is_first_day"
            ),
            # Where, what and how much are said of work only.
            models.CheckConstraint(
                condition=Q(status="working")
                | Q(place="", sector="", employer="", income_band="", working_since__isnull=True),
                name="work_details_only_when_working",
            ),
        ]
        indexes = [models.Index(fields=["household", "month"], name="work_by_household_month")]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m}"
