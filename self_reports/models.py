"""A household's own report of hardship (农户自主申报, as Gansu's 一键报贫 and Anhui's 一码申报).

A person reaches the village's public page (a QR code posted in the village), confirms a mobile
phone with a one-time code, and reports: name, ID number, the kind of hardship and a short
account, with their consent to the check. What they get back is a query code and, through it,
the report's status; nothing of the registry ever reaches them.

Nothing identifying is kept in the clear but the phone (as the registry keeps phones, shown
masked) and the name: the ID number as the registry's keyed hash and its masked form, the query
code and the one-time codes as keyed hashes only.
"""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assistance.models import RiskType

# The kinds of hardship a person names are the risk types of the early warning (因病 因残 因学 …).
HardshipType = RiskType


class SelfReportStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("self report status", "Received")
    CHECKING = "checking", pgettext_lazy("self report status", "Being checked")
    DECIDED = "decided", pgettext_lazy("self report status", "Decided")


@pghistory.track(exclude=["phone"])
class SelfReport(models.Model):
    village = models.ForeignKey(
        "households.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="self_reports",
    )
    name = models.CharField(_("name"), max_length=50)
    # A mobile number, confirmed by a one-time code; shown masked (core.masking.mask_phone).
    phone = models.CharField(_("phone"), max_length=20)
    id_number_hash = models.CharField(_("ID number hash"), max_length=64, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    hardship = models.CharField(_("hardship"), max_length=20, choices=HardshipType.choices)
    account = models.CharField(_("what happened"), max_length=500)
    consent_version = models.CharField(_("consent text version"), max_length=20)
    consented_at = models.DateTimeField(_("consent given at"))
    query_code_hash = models.CharField(_("query code hash"), max_length=64, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SelfReportStatus.choices,
        default=SelfReportStatus.RECEIVED,
    )
    received_at = models.DateTimeField(_("received at"))
    acceptance_due = models.DateField(_("to be accepted by"))
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="self_reports",
    )
    member = models.ForeignKey(
        "households.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    alert = models.ForeignKey(
        "monitoring.Alert",
        verbose_name=_("warning"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_note = models.CharField(_("decision"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("household's own report")
        verbose_name_plural = _("households' own reports")
        ordering = ["acceptance_due", "pk"]
        indexes = [
            models.Index(fields=["status", "acceptance_due"], name="selfreport_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=SelfReportStatus.DECIDED) | ~Q(decided_note=""),
                name="selfreport_decided_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id_number_masked} {self.received_at:%Y-%m-%d}"


class PhoneCode(models.Model):
    """A one-time code sent to a phone: kept as keyed hashes, used once, tried a few times."""

    phone_hash = models.CharField(_("phone hash"), max_length=64)
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["phone_hash", "-created_at"], name="phonecode_phone_latest")
        ]

    def __str__(self) -> str:
        return f"code {self.pk} ({self.created_at:%Y-%m-%d %H:%M})"


class RateCount(models.Model):
    """How many requests one key (a phone, an ID number, an address: keyed hashes) made in one
    window; incremented by one INSERT … ON CONFLICT, so concurrent requests count exactly."""

    key = models.CharField(_("key"), max_length=80)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("request count")
        verbose_name_plural = _("request counts")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratecount_key_window")
        ]

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
