"""Reads of micro-credit: loans scoped by the user's region (core/scope.py), their overdue days,
those maturing soon, and a household's credit standing for the capacity indicator."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance.models import Measure, MeasureKind
from core.scope import Scope
from livelihoods.models.credit import (
    OPEN_STATUSES,
    LoanInstalment,
    LoanPayment,
    LoanStatus,
    MicroLoan,
)
from livelihoods.selectors.common import household_measures

DEFAULT_OVERDUE_AFTER_DAYS = 3
MATURING_WITHIN_DAYS = 30


def overdue_after_days() -> int:
    """Calendar days past an instalment's due date after which the loan is signalled overdue.

    Three by default: a payment made on a Friday is often posted by the bank on Monday, and
    the rules should hear of a missed instalment, not of a weekend. The province counts loan
    days in calendar days (the bank's contract does), not in working days.
    """
    return int(getattr(settings, "LOAN_OVERDUE_AFTER_DAYS", DEFAULT_OVERDUE_AFTER_DAYS))


def loans_visible_to(user) -> QuerySet[MicroLoan]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("livelihoods.view_microloan"):
        return MicroLoan.objects.none()
    return MicroLoan.objects.filter(scope.q("household__village__code"))


def credit_measures_of(user, household) -> QuerySet[Measure]:
    """The micro-credit measures of the household's cases the user may see: what a loan of the
    household may be recorded under."""
    return household_measures(user, household, MeasureKind.MICRO_CREDIT)


def payments_visible_to(user) -> QuerySet[LoanPayment]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("livelihoods.view_microloan"):
        return LoanPayment.objects.none()
    return LoanPayment.objects.filter(scope.q("loan__household__village__code"))


def live_instalments(loan: MicroLoan) -> QuerySet[LoanInstalment]:
    """The loan's schedule as it stands: without the instalments an extension replaced."""
    return loan.instalments.filter(cancelled=False).order_by("number")


def unpaid(queryset: QuerySet[LoanInstalment]) -> QuerySet[LoanInstalment]:
    return queryset.filter(settled_on__isnull=True, cancelled=False)


def overdue_days(loan: MicroLoan, as_of: datetime.date) -> int:
    """Days since the due date of the loan's oldest unpaid instalment (0 if none is due)."""
    if loan.status not in OPEN_STATUSES:
        return 0
    oldest = (
        unpaid(loan.instalments.all())
        .filter(due_on__lt=as_of)
        .aggregate(oldest=Min("due_on"))["oldest"]
    )
    return (as_of - oldest).days if oldest else 0


@dataclass(frozen=True)
class Balance:
    due: Decimal  # everything scheduled (principal and interest)
    paid: Decimal
    overdue_amount: Decimal  # what was due before as_of and is unpaid

    @property
    def remaining(self) -> Decimal:
        return self.due - self.paid


def balance_of(loan: MicroLoan, as_of: datetime.date) -> Balance:
    rows = list(live_instalments(loan))
    due = sum((row.amount_due for row in rows), Decimal("0.00"))
    paid = sum((row.paid for row in rows), Decimal("0.00"))
    # Instalments an extension replaced keep what was paid on them as history only.
    overdue = sum(
        (row.remaining for row in rows if row.settled_on is None and row.due_on < as_of),
        Decimal("0.00"),
    )
    return Balance(due, paid, overdue)


def with_oldest_unpaid(queryset: QuerySet[MicroLoan]) -> QuerySet[MicroLoan]:
    """Each loan annotated with `oldest_unpaid_on`, the due date of its oldest unpaid
    instalment (None when all are settled)."""
    return queryset.annotate(
        oldest_unpaid_on=Min(
            "instalments__due_on",
            filter=Q(instalments__settled_on__isnull=True, instalments__cancelled=False),
        )
    )


def overdue_loans(queryset: QuerySet[MicroLoan], as_of: datetime.date, after_days: int = 0):
    """Open loans with an instalment unpaid more than `after_days` past its due date."""
    late = LoanInstalment.objects.filter(
        loan=OuterRef("pk"),
        settled_on__isnull=True,
        cancelled=False,
        due_on__lt=as_of - datetime.timedelta(days=after_days),
    )
    return queryset.filter(Exists(late), status__in=OPEN_STATUSES)


def loans_overdue_visible_to(user, as_of: datetime.date) -> QuerySet[MicroLoan]:
    return overdue_loans(loans_visible_to(user), as_of)


def loans_maturing(
    queryset: QuerySet[MicroLoan], as_of: datetime.date, within_days: int = MATURING_WITHIN_DAYS
) -> QuerySet[MicroLoan]:
    """Open loans that mature from `as_of` up to `within_days` later."""
    until = as_of + datetime.timedelta(days=within_days)
    return queryset.filter(
        status__in=OPEN_STATUSES, matures_on__gte=as_of, matures_on__lte=until
    ).order_by("matures_on", "pk")


def loans_maturing_visible_to(
    user, as_of: datetime.date, within_days: int = MATURING_WITHIN_DAYS
) -> QuerySet[MicroLoan]:
    return loans_maturing(loans_visible_to(user), as_of, within_days)


@dataclass(frozen=True)
class OutlivingRow:
    """A row of the list of measures that outlive their case (its `livelihoods` page)."""

    household_id: int
    household_number: str
    what: str
    ends_on: datetime.date
    url: str


def loans_maturing_rows(user, until: datetime.date) -> list[OutlivingRow]:
    """The user's open loans maturing up to `until` (soonest first), as rows of the list of
    measures that outlive their case."""
    loans = (
        loans_visible_to(user)
        .filter(status__in=OPEN_STATUSES, matures_on__lte=until)
        .select_related("household")
        .order_by("matures_on", "pk")
    )
    return [
        OutlivingRow(
            household_id=loan.household_id,
            household_number=loan.household.number,
            what=_("Micro-credit ¥%(principal)s from %(lender)s")
            % {"principal": f"{loan.principal:,.0f}", "lender": loan.lender},
            ends_on=loan.matures_on,
            url=reverse("loan-page", args=[loan.pk]),
        )
        for loan in loans
    ]


def credit_standing(household_ids: list[int], as_of: datetime.date) -> dict[int, str]:
    """Each household's credit as of a day: "none" (never borrowed), "good" (borrowed, nothing
    overdue on `as_of`), "overdue". Not scoped: the capacity indicator's caller is."""
    standing = dict.fromkeys(household_ids, "none")
    borrowed = MicroLoan.objects.filter(household_id__in=household_ids, disbursed_on__lte=as_of)
    for household_id in borrowed.values_list("household_id", flat=True).distinct():
        standing[household_id] = "good"
    late = overdue_loans(borrowed, as_of).values_list("household_id", flat=True).distinct()
    for household_id in late:
        standing[household_id] = "overdue"
    return standing


__all__ = [
    "LoanStatus",
    "balance_of",
    "credit_standing",
    "live_instalments",
    "loans_maturing",
    "loans_maturing_rows",
    "loans_maturing_visible_to",
    "loans_overdue_visible_to",
    "loans_visible_to",
    "overdue_after_days",
    "overdue_days",
    "overdue_loans",
    "payments_visible_to",
]


def loan_get(*, user, pk) -> MicroLoan:
    """The loan if the user may see it; a 404 otherwise, never a 403 that confirms it."""
    try:
        return (
            with_oldest_unpaid(loans_visible_to(user))
            .select_related("household__village", "borrower", "measure")
            .get(pk=pk)
        )
    except (MicroLoan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def borrowers_of(household) -> list:
    """The members who may borrow: living in the household (their age is the service's check)."""
    return list(household.members.filter(status="active").order_by("pk"))
