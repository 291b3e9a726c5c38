"""Industry support: subsidies (产业奖补) and links with enterprises or cooperatives that bring a
household wages, dividends, orders or land rent (联农带农), with what the partner paid."""

import pghistory
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from assistance.models import MONEY

# The partner kinds that may link households (联农带农).
LINKING_PARTNER_KINDS = ("state_enterprise", "private_enterprise", "cooperative")


class SupportKind(models.TextChoices):
    SUBSIDY = "subsidy", _("Industry subsidy")
    WAGES = "wages", _("Link: wages")
    DIVIDENDS = "dividends", _("Link: dividends")
    PURCHASE = "purchase", _("Link: purchase orders")
    LAND_RENT = "land_rent", _("Link: land rent")


LINK_KINDS = (SupportKind.WAGES, SupportKind.DIVIDENDS, SupportKind.PURCHASE, SupportKind.LAND_RENT)


@pghistory.track()
class IndustrySupport(models.Model):
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="industry_supports",
        verbose_name=_("household"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SupportKind.choices)
    partner = models.ForeignKey(
        "assistance.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="industry_supports",
        verbose_name=_("linking enterprise or cooperative"),
    )
    amount = models.DecimalField(_("amount (yuan)"), validators=[MinValueValidator(0)], **MONEY)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    measure = models.ForeignKey(
        "assistance.Measure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="industry_supports",
        verbose_name=_("assistance measure"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
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
        verbose_name = _("industry support")
        verbose_name_plural = _("industry supports")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="industry_support_ends_after_start",
            ),
            # A link names its partner; a subsidy is the government's.
            models.CheckConstraint(
                condition=Q(kind="subsidy") | Q(partner__isnull=False),
                name="industry_link_has_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}"


@pghistory.track()
class IndustryPayment(models.Model):
    """What the partner (or the subsidy) paid the household, and when."""

    support = models.ForeignKey(
        IndustrySupport,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("industry support"),
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (yuan)"), validators=[MinValueValidator(0)], **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    # Made by the client (a form's hidden field, a partner's system's transaction id): the same
    # key sent again is the same payment, counted once. Payments sent without one (left blank:
    # before the key, or by a client that has none) are recognised by support, day and amount.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("industry payment")
        verbose_name_plural = _("industry payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["support", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="one_industry_payment_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.support_id} {self.paid_on}"
