"""Micro-credit pages: the loan on the household page, its own page with the schedule, a
payment form sent twice, a loan made from the household, the task list's two kinds, and the
rows of the list of measures that outlive their case."""

import datetime

from django.urls import reverse

from livelihoods.models import LoanPayment, MicroLoan
from livelihoods.selectors import credit as selectors
from tests.conftest import client_for
from tests.livelihoods.credit_helpers import TODAY, make_loan
from worklist.selectors import tasks_for


def test_the_loan_shows_on_the_household_page(township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=3)
    page = client_for(township_cadre).get(f"/households/{household.pk}/").content.decode()
    assert reverse("loan-page", args=[loan.pk]) in page
    assert reverse("loan-create", args=[household.pk]) in page


def test_the_loan_page_lists_the_schedule_and_overdue_days(
    village_worker, township_cadre, household
):
    loan = make_loan(township_cadre, household, months_back=3)
    response = client_for(village_worker).get(reverse("loan-page", args=[loan.pk]))
    assert response.status_code == 200
    assert response.context["overdue_days"] == selectors.overdue_days(loan, TODAY) > 0
    assert len(response.context["instalments"]) == 12
    assert "逾期" in response.content.decode()


def test_a_payment_form_sent_twice_records_one_payment(village_worker, township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=1)
    client = client_for(village_worker)
    form = {"idempotency_key": "form-1", "amount": "500.00", "paid_on": TODAY.isoformat()}
    for _ in range(2):
        response = client.post(reverse("loan-pay", args=[loan.pk]), form)
        assert response.status_code == 302
    assert LoanPayment.objects.filter(loan=loan).count() == 1


def test_a_payment_too_large_is_shown_on_the_form(township_cadre, household):
    loan = make_loan(township_cadre, household, principal="1000", term=2)
    response = client_for(township_cadre).post(
        reverse("loan-pay", args=[loan.pk]),
        {"idempotency_key": "form-2", "amount": "5000.00", "paid_on": TODAY.isoformat()},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["amount"]
    assert not LoanPayment.objects.exists()


def test_a_loan_made_from_the_household(township_cadre, household):
    head = household.members.get(relation="head")
    response = client_for(township_cadre).post(
        reverse("loan-create", args=[household.pk]),
        {
            "borrower": head.pk,
            "lender": "农商银行",
            "principal": "30000",
            "term_months": "36",
            "annual_rate": "4.35",
            "interest_payer": "subsidy",
            "method": "at_maturity",
            "disbursed_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    loan = MicroLoan.objects.get()
    assert loan.instalments.count() == 12 and loan.borrower == head


def test_an_outsider_gets_no_loan_page(township_cadre, other_township_cadre, household):
    loan = make_loan(township_cadre, household)
    client = client_for(other_township_cadre)
    assert client.get(reverse("loan-page", args=[loan.pk])).status_code == 404
    assert client.get(reverse("loan-create", args=[household.pk])).status_code == 404


def test_tasks_appear_and_disappear(village_worker, township_cadre, household):
    # Disbursed 11 months and a few days ago over 12 months: matures within 30 days.
    loan = make_loan(township_cadre, household, months_back=11, days_back=5)
    kinds = {task.kind for task in tasks_for(village_worker)}
    assert {"loan_maturing", "instalment_overdue"} <= kinds
    # Everything due paid: the overdue task goes, the maturing one stays.
    from livelihoods.services import credit

    credit.loan_pay(
        actor=township_cadre,
        loan_id=loan.pk,
        amount=selectors.balance_of(loan, TODAY).overdue_amount,
        paid_on=TODAY,
        idempotency_key="all-due",
    )
    kinds = {task.kind for task in tasks_for(village_worker)}
    assert "instalment_overdue" not in kinds and "loan_maturing" in kinds
    # Repaid: nothing is left.
    credit.loan_pay(
        actor=township_cadre,
        loan_id=loan.pk,
        amount=selectors.balance_of(loan, TODAY).remaining,
        paid_on=TODAY,
        idempotency_key="the-rest",
    )
    kinds = {task.kind for task in tasks_for(village_worker)}
    assert not {"loan_maturing", "instalment_overdue"} & kinds


def test_loans_maturing_rows(township_cadre, other_township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=11, days_back=5)
    rows = selectors.loans_maturing_rows(township_cadre, TODAY + datetime.timedelta(days=40))
    assert [(row.household_id, row.ends_on) for row in rows] == [(household.pk, loan.matures_on)]
    assert rows[0].url == reverse("loan-page", args=[loan.pk])
    assert selectors.loans_maturing_rows(other_township_cadre, TODAY.replace(year=2100)) == []
