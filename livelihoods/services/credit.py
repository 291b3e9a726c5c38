"""Writes of micro-credit: a loan with its schedule, a payment, an extension (展期), a write-off,
and the overdue loans turned into department-style signals for the rules.

Each checks the actor's permission, reads through the selectors and writes in one transaction
with the loan's row locked: two payments on one loan are allocated one after the other, never
both against the same instalment. A payment carries its client's idempotency key: sent again,
it is the same payment, counted once. A loan's edits other than payments carry the `version`
they were decided on (EditConflict when it moved on).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assistance.models import MeasureKind
from assistance.selectors import measures_visible_to
from core.errors import EditConflict
from core.masking import age_this_year
from households.evaluation_requests import request_evaluation
from households.models import Member
from households.selectors import households_visible_to
from livelihoods import loan_schedule
from livelihoods.models.credit import (
    MAX_PRINCIPAL,
    MAX_TERM_MONTHS,
    OPEN_STATUSES,
    InterestPayer,
    LoanInstalment,
    LoanPayment,
    LoanStatus,
    MicroLoan,
    RepaymentMethod,
)
from livelihoods.selectors import credit as selectors
from monitoring.models import Signal, SignalKind, SignalSource

CENT = Decimal("0.01")
MIN_AGE, MAX_AGE = 18, 65
MAX_RATE = Decimal(24)
MAX_EXTENSION_MONTHS = 12


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount in yuan.")}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({field: _("Enter an amount in yuan, to the fen at most.")})
    return amount


def _age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """The age reached in the year of `day`, not to the day: a refusal that flipped on the
    borrower's birthday would give away, date by date, the birth date the ID mask hides."""
    return age_this_year(birth_date, today=day)


def _check_terms(principal: Decimal, term_months: int, annual_rate: Decimal, method: str) -> None:
    errors = {}
    if principal <= 0:
        errors["principal"] = _("The principal must be more than zero.")
    elif principal > MAX_PRINCIPAL:
        errors["principal"] = _("A micro-credit loan is at most ¥%(max)s.") % {"max": "50,000"}
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        errors["term_months"] = _("A micro-credit loan runs 1 to %(max)d months.") % {
            "max": MAX_TERM_MONTHS
        }
    if not Decimal(0) <= annual_rate <= MAX_RATE:
        errors["annual_rate"] = _("The annual rate is between 0% and 24%.")
    if method not in RepaymentMethod.values:
        errors["method"] = _("Choose a repayment method.")
    if errors:
        raise ValidationError(errors)


def _schedule_rows(
    loan: MicroLoan, principal: Decimal, term_months: int, start: datetime.date, first: int
) -> list[LoanInstalment]:
    return [
        LoanInstalment(
            loan=loan,
            number=line.number,
            due_on=line.due_on,
            principal_due=line.principal,
            interest_due=line.interest,
        )
        for line in loan_schedule.schedule(
            principal=principal,
            annual_rate=loan.annual_rate / 100,
            term_months=term_months,
            disbursed_on=start,
            method=loan.method,
            first_number=first,
        )
    ]


def loan_create(
    *,
    actor: User,
    household_id: int,
    borrower_id: int,
    lender: str,
    principal,
    term_months: int,
    annual_rate,
    method: str,
    disbursed_on: datetime.date,
    interest_payer: str = InterestPayer.SUBSIDY,
    measure_id: int | None = None,
    note: str = "",
) -> MicroLoan:
    """Record a loan a bank disbursed to a member of a household in the actor's region, with its
    repayment schedule. The same disbursal recorded again (same borrower, bank, day and
    principal) is refused rather than counted twice."""
    if not actor.has_perm("livelihoods.add_microloan"):
        raise PermissionDenied(_("Your role may not do this."))
    principal = _money(principal, "principal")
    annual_rate = _money(annual_rate, "annual_rate") if annual_rate is not None else Decimal(-1)
    _check_terms(principal, int(term_months), annual_rate, method)
    lender = (lender or "").strip()
    if not lender:
        raise ValidationError({"lender": _("Name the bank that lent the money.")})
    if interest_payer not in InterestPayer.values:
        raise ValidationError({"interest_payer": _("Say who pays the interest.")})
    today = timezone.localdate()
    if disbursed_on > today:
        raise ValidationError({"disbursed_on": _("A loan cannot be disbursed in the future.")})
    if disbursed_on < loan_schedule.add_months(today, -(MAX_TERM_MONTHS + MAX_EXTENSION_MONTHS)):
        # Its longest term and extension are over: it would be recorded overdue for years and
        # raise a signal for a debt long settled (or a typing slip of the year).
        raise ValidationError(
            {
                "disbursed_on": _(
                    "A loan disbursed more than four years ago has ended: it is not recorded."
                )
            }
        )
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = households_visible_to(actor).select_for_update().filter(pk=household_id).first()
        if household is None:
            raise ValidationError({"household": _("No such household in your region.")})
        borrower = Member.objects.filter(pk=borrower_id, household=household).first()
        if borrower is None or borrower.status != Member.Status.ACTIVE:
            raise ValidationError({"borrower": _("Choose a member who lives in the household.")})
        if not MIN_AGE <= _age_on(borrower.birth_date, disbursed_on) <= MAX_AGE:
            raise ValidationError(
                {"borrower": _("The borrower must be 18 to 65 years old when the loan is made.")}
            )
        measure = None
        if measure_id is not None:
            measure = (
                measures_visible_to(actor)
                .filter(pk=measure_id, case__household=household, kind=MeasureKind.MICRO_CREDIT)
                .first()
            )
            if measure is None:
                raise ValidationError(
                    {"measure": _("Choose a micro-credit measure of this household's case.")}
                )
        if MicroLoan.objects.filter(
            borrower=borrower, lender=lender, disbursed_on=disbursed_on, principal=principal
        ).exists():
            raise ValidationError({"principal": _("This loan is recorded already.")})
        loan = MicroLoan(
            household=household,
            borrower=borrower,
            lender=lender[:60],
            principal=principal,
            term_months=int(term_months),
            annual_rate=annual_rate,
            interest_payer=interest_payer,
            method=method,
            disbursed_on=disbursed_on,
            matures_on=loan_schedule.maturity_of(disbursed_on, int(term_months)),
            measure=measure,
            note=(note or "").strip()[:200],
            created_by=actor,
        )
        try:
            with transaction.atomic():
                loan.save()
        except IntegrityError:  # the same disbursal recorded at the same moment
            raise ValidationError({"principal": _("This loan is recorded already.")}) from None
        LoanInstalment.objects.bulk_create(
            _schedule_rows(loan, principal, loan.term_months, disbursed_on, 1)
        )
    return loan


def _locked_loan(actor: User, loan_id: int) -> MicroLoan:
    loan = selectors.loans_visible_to(actor).select_for_update().filter(pk=loan_id).first()
    if loan is None:
        raise ValidationError({"loan": _("No such loan in your region.")})
    return loan


def _back_to_current(loan: MicroLoan, today: datetime.date) -> None:
    """A loan with nothing overdue any more leaves its overdue spell: the next one signals
    again."""
    if loan.status == LoanStatus.OVERDUE and selectors.overdue_days(loan, today) == 0:
        loan.status = LoanStatus.EXTENDED if loan.extended_on else LoanStatus.ACTIVE
        loan.overdue_signal = None


def loan_pay(
    *,
    actor: User,
    loan_id: int,
    amount,
    paid_on: datetime.date,
    idempotency_key: str,
) -> tuple[LoanPayment, bool]:
    """Record a repayment, allocated to the oldest unpaid instalments; (payment, created).

    The same key sent again answers the payment it recorded (created False), provided it says
    the same; a payment larger than what remains of the loan is refused. The loan is repaid
    (and closed) by the payment that settles its last instalment."""
    if not actor.has_perm("livelihoods.add_loanpayment"):
        raise PermissionDenied(_("Your role may not do this."))
    amount = _money(amount, "amount")
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(
            {"idempotency_key": _("A payment needs a key of 1 to 64 characters.")}
        )
    today = timezone.localdate()
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if paid_on > today:
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        loan = _locked_loan(actor, loan_id)
        # Under the loan's lock: a key sent twice at once finds the first one's payment here.
        earlier = loan.payments.filter(idempotency_key=key).first()
        if earlier is not None:
            if earlier.amount != amount or earlier.paid_on != paid_on:
                raise ValidationError(
                    {"idempotency_key": _("This key was used for another payment.")}
                )
            return earlier, False
        if loan.status not in OPEN_STATUSES:
            raise ValidationError({"loan": _("This loan is closed: it takes no more payments.")})
        if paid_on < loan.disbursed_on:
            raise ValidationError(
                {"paid_on": _("A payment cannot be before the loan was disbursed.")}
            )
        instalments = list(selectors.unpaid(loan.instalments.all()).order_by("number"))
        remaining = sum((row.remaining for row in instalments), Decimal("0.00"))
        if amount > remaining:
            raise ValidationError(
                {
                    "amount": _("Only ¥%(remaining)s remains to be repaid on this loan.")
                    % {"remaining": f"{remaining:,.2f}"}
                }
            )
        left = amount
        for row in instalments:
            if left <= 0:
                break
            part = min(left, row.remaining)
            row.paid += part
            left -= part
            if row.remaining == 0:
                row.settled_on = paid_on
            row.save(update_fields=["paid", "settled_on"])
        payment = LoanPayment.objects.create(
            loan=loan, paid_on=paid_on, amount=amount, idempotency_key=key, recorded_by=actor
        )
        if amount == remaining:
            loan.status, loan.closed_on, loan.overdue_signal = LoanStatus.REPAID, paid_on, None
        else:
            _back_to_current(loan, today)
        loan.version += 1
        loan.save(update_fields=["status", "closed_on", "overdue_signal", "version", "updated_at"])
    return payment, True


def _interest_accrued(row: LoanInstalment, start: datetime.date, today: datetime.date) -> Decimal:
    """The interest an instalment had accrued by `today`, its period running from `start` to its
    due date: all of it once due; of a period under way, the share of its days gone (rounded
    half up to the cent); nothing of a period not begun. The new schedule's interest runs from
    the day of the extension, so the two neither overlap nor leave a gap."""
    if row.due_on <= today:
        return row.interest_due
    if start >= today:
        return Decimal("0.00")
    share = Decimal((today - start).days) / Decimal((row.due_on - start).days)
    return (row.interest_due * share).quantize(CENT, rounding=ROUND_HALF_UP)


def loan_extend(*, actor: User, loan_id: int, version: int, months: int, reason: str) -> MicroLoan:
    """Extend a loan (展期) once: what remains of its principal is scheduled again, by the same
    method, from today over `months` more than its term had left; the instalments not settled
    are replaced (kept, marked so, as history). A partly paid instalment is settled at what was
    paid, interest first. The interest the replaced instalments had accrued by today and that
    was not paid is added to the first new instalment: nothing owed disappears."""
    if not actor.has_perm("livelihoods.change_microloan"):
        raise PermissionDenied(_("Your role may not do this."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the loan is extended.")})
    if not 1 <= int(months) <= MAX_EXTENSION_MONTHS:
        raise ValidationError(
            {"months": _("A loan is extended by 1 to %(max)d months.") % {"max": 12}}
        )
    today = timezone.localdate()
    with transaction.atomic(), pghistory.context(user=actor.pk, reason=reason[:200]):
        loan = _locked_loan(actor, loan_id)
        if loan.version != version:
            raise EditConflict()
        if loan.status not in OPEN_STATUSES:
            raise ValidationError({"loan": _("Only a loan being repaid can be extended.")})
        if loan.extended_on is not None:
            raise ValidationError({"loan": _("A loan is extended once at most.")})
        principal_left = Decimal("0.00")
        interest_owed = Decimal("0.00")
        last_number = 0
        period_start = loan.disbursed_on
        for row in loan.instalments.order_by("number"):
            last_number = row.number
            start, period_start = period_start, row.due_on
            if row.settled_on is not None or row.cancelled:
                continue
            interest_paid = min(row.paid, row.interest_due)
            principal_left += row.principal_due - (row.paid - interest_paid)
            interest_owed += _interest_accrued(row, start, today) - interest_paid
            if row.paid > 0:
                row.principal_due = row.paid - interest_paid
                row.interest_due = interest_paid
                row.settled_on = today
            else:
                row.cancelled = True
            row.save(update_fields=["principal_due", "interest_due", "settled_on", "cancelled"])
        if principal_left <= 0:
            raise ValidationError({"loan": _("Nothing of the principal is left to extend.")})
        left_months = max(
            0, (loan.matures_on.year - today.year) * 12 + loan.matures_on.month - today.month
        )
        term = left_months + int(months)
        rows = _schedule_rows(loan, principal_left, term, today, last_number + 1)
        # The interest the replaced instalments had accrued and nobody paid is still owed (the
        # contract's rate runs on through an extension): it is due with the first new one.
        rows[0].interest_due += max(interest_owed, Decimal("0.00"))
        LoanInstalment.objects.bulk_create(rows)
        loan.matures_on = loan_schedule.maturity_of(today, term)
        loan.extended_on = today
        loan.status = LoanStatus.EXTENDED
        loan.overdue_signal = None
        loan.note = reason[:200]
        loan.version += 1
        loan.save()
    return loan


def loan_write_off(*, actor: User, loan_id: int, version: int, reason: str) -> MicroLoan:
    """Write off what remains of a loan (the bank's decision, recorded here); it is closed."""
    if not actor.has_perm("livelihoods.change_microloan"):
        raise PermissionDenied(_("Your role may not do this."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the loan is written off.")})
    with transaction.atomic(), pghistory.context(user=actor.pk, reason=reason[:200]):
        loan = _locked_loan(actor, loan_id)
        if loan.version != version:
            raise EditConflict()
        if loan.status not in OPEN_STATUSES:
            raise ValidationError({"loan": _("This loan is closed already.")})
        loan.status = LoanStatus.WRITTEN_OFF
        loan.closed_on = timezone.localdate()
        loan.overdue_signal = None
        loan.note = reason[:200]
        loan.version += 1
        loan.save()
    return loan


def _raise_overdue_signal(loan: MicroLoan, today: datetime.date, actor: User | None) -> bool:
    """Under the loan's lock: open its overdue spell with one signal; False if one is open."""
    if loan.overdue_signal_id is not None:
        return False
    oldest = (
        selectors.unpaid(loan.instalments.all()).filter(due_on__lt=today).order_by("due_on")
    ).first()
    if oldest is None:
        return False
    balance = selectors.balance_of(loan, today)
    borrower = loan.borrower
    # One signal a spell: the spell is named by the loan and the instalment that opened it, so
    # a second run (or a second worker) finds the same pair stored and adds nothing.
    signal, _created = Signal.objects.get_or_create(
        source=SignalSource.BANK,
        external_id=f"loan-{loan.pk}-{oldest.number}",
        defaults={
            "kind": SignalKind.LOAN_OVERDUE,
            "household": loan.household,
            "member": borrower,
            "id_number_hash": borrower.id_number_hash,
            "id_number_masked": borrower.id_number_masked,
            "occurred_on": today,
            "amount": balance.overdue_amount,
            "detail": _("Instalment %(number)d of a micro-credit loan, due on %(due)s, is unpaid.")
            % {"number": oldest.number, "due": oldest.due_on.isoformat()},
            "status": Signal.Status.MATCHED,
            "received_by": actor,
        },
    )
    loan.overdue_signal = signal
    loan.status = LoanStatus.OVERDUE
    loan.version += 1
    loan.save(update_fields=["overdue_signal", "status", "version", "updated_at"])
    request_evaluation(loan.household_id)
    return True


def loans_overdue_signal(*, as_of: datetime.date | None = None) -> int:
    """The daily sweep (livelihoods.tasks): every open loan with an instalment unpaid more than
    `overdue_after_days` past its due date and no open overdue spell gets one; answers how many
    signals it raised. Safe to run twice or at once on two workers: each loan is decided under
    its lock, and the signal's (source, external id) is unique."""
    today = as_of or timezone.localdate()
    after = selectors.overdue_after_days()
    candidates = list(
        selectors.overdue_loans(MicroLoan.objects.all(), today, after)
        .filter(overdue_signal__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    raised = 0
    for loan_id in candidates:
        with transaction.atomic(), pghistory.context(task="loans_overdue_signal"):
            loan = (
                MicroLoan.objects.select_for_update()
                .select_related("borrower")
                .filter(pk=loan_id, status__in=OPEN_STATUSES)
                .first()
            )
            if loan is None:
                continue
            if selectors.overdue_days(loan, today) <= after:
                continue
            raised += _raise_overdue_signal(loan, today, None)
    return raised


def loan_mark_overdue(*, actor: User, loan_id: int, reason: str = "") -> MicroLoan:
    """A bank or a cadre reports a loan overdue before the daily sweep does. Overdue days come
    from the schedule: a loan with nothing due yet unpaid is refused. The reason (what the
    bank or the household said), when given, is kept in the loan's history."""
    if not actor.has_perm("livelihoods.add_loanpayment"):
        raise PermissionDenied(_("Your role may not do this."))
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": _("Keep the reason under 200 characters.")})
    today = timezone.localdate()
    with transaction.atomic(), pghistory.context(user=actor.pk, reason=reason):
        loan = _locked_loan(actor, loan_id)
        if loan.status not in OPEN_STATUSES:
            raise ValidationError({"loan": _("This loan is closed.")})
        if selectors.overdue_days(loan, today) == 0:
            raise ValidationError(
                {"loan": _("Nothing of this loan is due and unpaid yet: it cannot be overdue.")}
            )
        _raise_overdue_signal(loan, today, actor)
    return loan
