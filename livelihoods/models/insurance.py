"""Prevention insurance (防贫保险) claims of a household."""

import pghistory
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from assistance.models import MONEY


class ClaimCause(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    ACCIDENT = "accident", _("Accident")
    DISASTER = "disaster", _("Natural disaster")
    INCOME_DROP = "income_drop", _("Income drop")
    OTHER = "other", _("Other")


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    PAID = "paid", _("Paid")
    REFUSED = "refused", _("Refused")


@pghistory.track()
class InsuranceClaim(models.Model):
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="insurance_claims",
        verbose_name=_("household"),
    )
    insurer = models.CharField(_("insurer"), max_length=100)
    cause = models.CharField(_("cause"), max_length=12, choices=ClaimCause.choices)
    claimed_on = models.DateField(_("claimed on"))
    amount_claimed = models.DecimalField(
        _("amount claimed (yuan)"), validators=[MinValueValidator(0)], **MONEY
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ClaimStatus.choices, default=ClaimStatus.CLAIMED
    )
    amount_paid = models.DecimalField(
        _("amount paid (yuan)"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("prevention insurance claim")
        verbose_name_plural = _("prevention insurance claims")
        ordering = ["-claimed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paid__isnull=True) | Q(amount_paid__lte=F("amount_claimed")),
                name="claim_paid_at_most_claimed",
            ),
            models.CheckConstraint(
                condition=Q(status="claimed", decided_on__isnull=True, amount_paid__isnull=True)
                | Q(status="paid", decided_on__isnull=False, amount_paid__isnull=False)
                | Q(status="refused", decided_on__isnull=False, amount_paid__isnull=True),
                name="claim_decision_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.claimed_on}"
