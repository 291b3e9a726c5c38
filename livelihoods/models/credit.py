"""Micro-credit (小额信贷): a household's loan, its repayment schedule and the payments on it.

A loan is at most ¥50,000 over at most 36 months (the policy's limits). Its schedule is made by
livelihoods/loan_schedule.py; payments are allocated to the oldest unpaid instalments. How late
a loan is (overdue days) is computed from the schedule, never typed in.
"""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from livelihoods import loan_schedule
from monitoring.models import DecimalPlaces

MONEY: DecimalPlaces = {"max_digits": 12, "decimal_places": 2}
MAX_PRINCIPAL = 50_000
MAX_TERM_MONTHS = 36


class RepaymentMethod(models.TextChoices):
    MONTHLY = loan_schedule.MONTHLY, _("Equal principal, monthly")
    QUARTERLY = loan_schedule.QUARTERLY, _("Equal principal, quarterly")
    AT_MATURITY = loan_schedule.AT_MATURITY, _("Interest quarterly, principal at maturity")


class InterestPayer(models.TextChoices):
    HOUSEHOLD = "household", _("The household")
    SUBSIDY = "subsidy", _("Fiscal interest subsidy")


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("Being repaid")
    OVERDUE = "overdue", _("Repayment overdue")
    EXTENDED = "extended", _("Extended")
    REPAID = "repaid", _("Repaid")
    WRITTEN_OFF = "written_off", _("Written off")


OPEN_STATUSES = (LoanStatus.ACTIVE, LoanStatus.OVERDUE, LoanStatus.EXTENDED)


@pghistory.track()
class MicroLoan(models.Model):
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="loans",
        verbose_name=_("household"),
    )
    borrower = models.ForeignKey(
        "households.Member",
        on_delete=models.PROTECT,
        related_name="loans",
        verbose_name=_("borrower"),
    )
    lender = models.CharField(_("lending bank"), max_length=60)
    principal = models.DecimalField(
        _("principal (yuan)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PRINCIPAL)],
        **MONEY,
    )
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_TERM_MONTHS)]
    )
    annual_rate = models.DecimalField(
        _("annual interest rate (%)"),
        max_digits=5,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    interest_payer = models.CharField(
        _("interest paid by"), max_length=10, choices=InterestPayer.choices
    )
    method = models.CharField(_("repayment method"), max_length=12, choices=RepaymentMethod.choices)
    disbursed_on = models.DateField(_("disbursed on"))
    # Derived: disbursed_on + term (and moved by an extension), never typed in.
    matures_on = models.DateField(_("matures on"))
    measure = models.ForeignKey(
        "assistance.Measure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
        verbose_name=_("assistance measure"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.ACTIVE
    )
    # The department-style signal of the current overdue spell: set when the loan falls
    # overdue, cleared when it is current again, so one spell raises one signal.
    overdue_signal = models.ForeignKey(
        "monitoring.Signal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("overdue signal"),
    )
    extended_on = models.DateField(_("extended on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
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
        verbose_name = _("micro-credit loan")
        verbose_name_plural = _("micro-credit loans")
        ordering = ["-disbursed_on", "-id"]
        constraints = [
            # The same loan recorded twice (a form sent again) is one loan.
            models.UniqueConstraint(
                fields=["borrower", "lender", "disbursed_on", "principal"],
                name="one_loan_per_disbursal",
            ),
            models.CheckConstraint(
                condition=Q(principal__gt=0, principal__lte=MAX_PRINCIPAL),
                name="loan_principal_within_policy",
            ),
            models.CheckConstraint(
                condition=Q(term_months__gte=1, term_months__lte=MAX_TERM_MONTHS),
                name="loan_term_within_policy",
            ),
            models.CheckConstraint(
                condition=Q(matures_on__gt=F("disbursed_on")), name="loan_matures_after_disbursal"
            ),
        ]
        indexes = [
            models.Index(fields=["household", "status"], name="loan_household_status"),
            models.Index(fields=["status", "matures_on"], name="loan_status_maturity"),
        ]

    def __str__(self) -> str:
        return f"{self.lender} ¥{self.principal} {self.disbursed_on}"


@pghistory.track()
class LoanInstalment(models.Model):
    loan = models.ForeignKey(
        MicroLoan, on_delete=models.CASCADE, related_name="instalments", verbose_name=_("loan")
    )
    number = models.PositiveSmallIntegerField(_("instalment"))
    due_on = models.DateField(_("due on"))
    principal_due = models.DecimalField(_("principal due"), **MONEY)
    interest_due = models.DecimalField(_("interest due"), **MONEY)
    paid = models.DecimalField(_("paid so far"), default=0, **MONEY)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    # An extension replaces the instalments not yet settled: they stay, cancelled, as history.
    cancelled = models.BooleanField(_("replaced by an extension"), default=False)

    class Meta:
        verbose_name = _("loan instalment")
        verbose_name_plural = _("loan instalments")
        ordering = ["loan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="one_instalment_number"),
            models.CheckConstraint(
                condition=Q(paid__gte=0, paid__lte=F("principal_due") + F("interest_due")),
                name="instalment_paid_within_due",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(settled_on__isnull=True, cancelled=False),
                name="instalment_unpaid_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.number}"

    @property
    def amount_due(self):
        return self.principal_due + self.interest_due

    @property
    def remaining(self):
        return self.amount_due - self.paid


@pghistory.track()
class LoanPayment(models.Model):
    loan = models.ForeignKey(
        MicroLoan, on_delete=models.PROTECT, related_name="payments", verbose_name=_("loan")
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(
        _("amount (yuan)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    # Made by the client (a form's hidden field, a bank's transaction id): the same key sent
    # again is the same payment, counted once.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loan payment")
        verbose_name_plural = _("loan payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "idempotency_key"], name="one_payment_per_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} ¥{self.amount} {self.paid_on}"
