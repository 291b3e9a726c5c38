"""Micro-credit writes: a loan and its schedule, payments and their allocation, bad input,
idempotent and concurrent payments, extension, write-off, and the overdue signal."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from households import services as household_services
from livelihoods.models import LoanInstalment, LoanPayment, LoanStatus, MicroLoan
from livelihoods.selectors import credit as selectors
from livelihoods.services import credit
from monitoring.models import Signal, SignalKind, SignalSource
from tests.conftest import committed_db
from tests.idgen import make_id_number
from tests.livelihoods.credit_helpers import TODAY, make_loan, months_ago


def _pay(actor, loan, amount, key=None, paid_on=None):
    return credit.loan_pay(
        actor=actor,
        loan_id=loan.pk,
        amount=Decimal(amount),
        paid_on=paid_on or TODAY,
        idempotency_key=key or uuid.uuid4().hex,
    )


def test_a_loan_is_made_with_its_schedule(township_cadre, household):
    loan = make_loan(township_cadre, household)
    rows = list(loan.instalments.order_by("number"))
    assert len(rows) == 12
    assert sum(row.principal_due for row in rows) == Decimal("12000.00")
    assert rows[0].principal_due == Decimal("1000.00")
    assert rows[0].interest_due == Decimal("43.50")  # 12,000 × 4.35% / 12
    assert loan.matures_on == rows[-1].due_on
    assert loan.status == LoanStatus.ACTIVE
    assert loan.events.count() == 1  # pghistory


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("principal", {"principal": Decimal("50000.01")}),
        ("principal", {"principal": Decimal("0")}),
        ("term_months", {"term_months": 37}),
        ("annual_rate", {"annual_rate": Decimal("30")}),
        ("method", {"method": "weekly"}),
        ("disbursed_on", {"disbursed_on": TODAY.replace(year=TODAY.year + 1)}),
        ("lender", {"lender": "  "}),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_written(township_cadre, household, field, changes):
    head = household.members.get(relation="head")
    fields = {
        "household_id": household.pk,
        "borrower_id": head.pk,
        "lender": "景泰县农商银行",
        "principal": Decimal("10000"),
        "term_months": 12,
        "annual_rate": Decimal("4.35"),
        "method": "monthly",
        "disbursed_on": TODAY,
    } | changes
    with pytest.raises(ValidationError) as error:
        credit.loan_create(actor=township_cadre, **fields)
    assert field in error.value.message_dict
    assert not MicroLoan.objects.exists() and not LoanInstalment.objects.exists()


def test_a_borrower_over_65_is_refused(township_cadre, household):
    elder = household_services.member_create(
        actor=township_cadre,
        household_id=household.pk,
        name="张老汉",
        id_number=make_id_number("620423", "19500101", 5),
        relation="parent",
        labour="weak",
        education="illiterate",
    )
    with pytest.raises(ValidationError) as error:
        credit.loan_create(
            actor=township_cadre,
            household_id=household.pk,
            borrower_id=elder.pk,
            lender="农商银行",
            principal=Decimal("5000"),
            term_months=12,
            annual_rate=Decimal("4"),
            method="monthly",
            disbursed_on=TODAY,
        )
    assert "18" in error.value.message_dict["borrower"][0]
    assert not MicroLoan.objects.exists()


def test_a_household_out_of_scope_reads_as_none(other_township_cadre, household):
    head = household.members.get(relation="head")
    with pytest.raises(ValidationError) as error:
        credit.loan_create(
            actor=other_township_cadre,
            household_id=household.pk,
            borrower_id=head.pk,
            lender="农商银行",
            principal=Decimal("5000"),
            term_months=12,
            annual_rate=Decimal("4"),
            method="monthly",
            disbursed_on=TODAY,
        )
    assert "household" in error.value.message_dict
    assert not MicroLoan.objects.exists()


def test_a_village_worker_may_not_make_a_loan(village_worker, household):
    with pytest.raises(PermissionDenied):
        make_loan(village_worker, household)


def test_the_same_disbursal_twice_is_one_loan(township_cadre, household):
    make_loan(township_cadre, household)
    with pytest.raises(ValidationError):
        make_loan(township_cadre, household)
    assert MicroLoan.objects.count() == 1


def test_a_payment_settles_the_oldest_instalments_first(township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=3)
    rows = list(loan.instalments.order_by("number"))
    amount = rows[0].amount_due + rows[1].amount_due + Decimal("1.00")
    payment, created = _pay(township_cadre, loan, amount)
    assert created and payment.amount == amount
    rows = list(loan.instalments.order_by("number"))
    assert rows[0].settled_on == TODAY and rows[0].remaining == 0
    assert rows[1].settled_on == TODAY and rows[1].remaining == 0
    assert rows[2].settled_on is None and rows[2].paid == Decimal("1.00")
    # The third fell due a few days ago at most: overdue days count from it.
    assert selectors.overdue_days(loan, TODAY) == (TODAY - rows[2].due_on).days


def test_a_payment_larger_than_the_rest_is_refused(township_cadre, household):
    loan = make_loan(township_cadre, household)
    rest = selectors.balance_of(loan, TODAY).remaining
    with pytest.raises(ValidationError) as error:
        _pay(township_cadre, loan, rest + Decimal("0.01"))
    assert "amount" in error.value.message_dict
    assert not LoanPayment.objects.exists()
    assert not loan.instalments.filter(paid__gt=0).exists()


def test_the_last_payment_repays_and_closes_the_loan(township_cadre, household):
    loan = make_loan(township_cadre, household, principal="3000", term=3)
    _pay(township_cadre, loan, selectors.balance_of(loan, TODAY).remaining)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.REPAID and loan.closed_on == TODAY
    with pytest.raises(ValidationError):
        _pay(township_cadre, loan, "1")


def test_a_payment_sent_again_is_counted_once(township_cadre, household):
    loan = make_loan(township_cadre, household)
    first, created = _pay(township_cadre, loan, "500", key="bank-tx-1")
    again, created_again = _pay(township_cadre, loan, "500", key="bank-tx-1")
    assert created and not created_again and again.pk == first.pk
    assert LoanPayment.objects.count() == 1
    assert sum(row.paid for row in loan.instalments.all()) == Decimal("500.00")
    with pytest.raises(ValidationError) as error:
        _pay(township_cadre, loan, "600", key="bank-tx-1")
    assert "idempotency_key" in error.value.message_dict


@committed_db
def test_two_payments_at_once_lose_neither(township_cadre, household):
    loan = make_loan(township_cadre, household)
    barrier = threading.Barrier(2)
    errors = []

    def pay(key):
        try:
            barrier.wait(timeout=10)
            _pay(township_cadre, loan, "700", key=key)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(f"k{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert LoanPayment.objects.filter(loan=loan).count() == 2
    assert sum(row.paid for row in loan.instalments.all()) == Decimal("1400.00")


def test_the_overdue_sweep_raises_one_signal_per_spell(township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=3)
    assert credit.loans_overdue_signal() == 1
    assert credit.loans_overdue_signal() == 0  # run again: nothing more
    loan.refresh_from_db()
    signal = Signal.objects.get()
    assert (signal.kind, signal.source) == (SignalKind.LOAN_OVERDUE, SignalSource.BANK)
    assert signal.household == household and signal.status == Signal.Status.MATCHED
    assert loan.status == LoanStatus.OVERDUE and loan.overdue_signal == signal
    household.refresh_from_db()
    assert household.evaluation_pending_since is not None
    # Paid up: the spell ends; the loan is current again and no new signal comes.
    _pay(township_cadre, loan, selectors.balance_of(loan, TODAY).overdue_amount)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE and loan.overdue_signal is None
    assert credit.loans_overdue_signal() == 0
    assert Signal.objects.count() == 1


def test_a_loan_late_by_less_than_the_grace_raises_nothing(township_cadre, household, settings):
    settings.LOAN_OVERDUE_AFTER_DAYS = 400
    make_loan(township_cadre, household, months_back=3)
    assert credit.loans_overdue_signal() == 0
    assert not Signal.objects.exists()


def test_marking_overdue_a_loan_not_yet_due_is_refused(township_cadre, household):
    loan = make_loan(township_cadre, household)
    with pytest.raises(ValidationError) as error:
        credit.loan_mark_overdue(actor=township_cadre, loan_id=loan.pk)
    assert "loan" in error.value.message_dict
    assert not Signal.objects.exists()
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE


def test_the_signal_weighs_in_the_rules_as_medium():
    from monitoring.engine import rules

    params = rules.RULES_BY_CODE["department_signal"].params
    evidence = {"signals": [{"kind": "loan_overdue"}]}
    assert rules.department_signal_severity(evidence, params, rules.LOW) == rules.MEDIUM


def test_an_extension_schedules_the_rest_again(township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=2)
    first = loan.instalments.get(number=1)
    _pay(township_cadre, loan, first.amount_due + Decimal("100"))
    extended = credit.loan_extend(
        actor=township_cadre, loan_id=loan.pk, version=loan.version + 1, months=6, reason="受灾"
    )
    assert extended.status == LoanStatus.EXTENDED and extended.extended_on == TODAY
    live = list(selectors.live_instalments(extended))
    # Everything scheduled adds up to the principal, to the cent.
    assert sum(row.principal_due for row in live) == Decimal("12000.00")
    assert extended.matures_on > months_ago(2).replace(year=months_ago(2).year + 1)
    assert loan.instalments.filter(cancelled=True).exists()
    with pytest.raises(ValidationError):
        credit.loan_extend(
            actor=township_cadre,
            loan_id=loan.pk,
            version=extended.version,
            months=3,
            reason="again",
        )


def test_a_write_off_closes_the_loan(county_officer, household):
    loan = make_loan(county_officer, household)
    closed = credit.loan_write_off(
        actor=county_officer, loan_id=loan.pk, version=loan.version, reason="借款人去世"
    )
    assert closed.status == LoanStatus.WRITTEN_OFF and closed.closed_on == TODAY


def test_credit_standing(township_cadre, household, other_township_household):
    loan = make_loan(township_cadre, household, months_back=3)
    ids = [household.pk, other_township_household.pk]
    assert selectors.credit_standing(ids, months_ago(3)) == {
        household.pk: "good",
        other_township_household.pk: "none",
    }
    assert selectors.credit_standing(ids, TODAY)[household.pk] == "overdue"
    _pay(township_cadre, loan, selectors.balance_of(loan, TODAY).overdue_amount)
    assert selectors.credit_standing(ids, TODAY)[household.pk] == "good"
