"""Micro-credit through the API: scoped lists, creation, payments (idempotent, too large),
overdue reports, and an outsider refused."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from livelihoods.models import LoanPayment, MicroLoan
from monitoring.models import Signal
from tests.livelihoods.credit_helpers import TODAY, make_loan


def api(user, language="zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def _create_body(household, **changes):
    head = household.members.get(relation="head")
    return {
        "household": household.pk,
        "borrower": head.pk,
        "lender": "景泰县农商银行",
        "principal": "20000.00",
        "term_months": 24,
        "annual_rate": "4.35",
        "interest_payer": "subsidy",
        "method": "quarterly",
        "disbursed_on": (TODAY - datetime.timedelta(days=10)).isoformat(),
    } | changes


def test_a_cadre_creates_a_loan_and_reads_its_schedule(township_cadre, household):
    response = api(township_cadre).post("/api/v1/loans/", _create_body(household), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["instalments"]) == 8
    assert sum(Decimal(row["principal_due"]) for row in body["instalments"]) == Decimal("20000")
    assert body["overdue_days"] == 0 and body["status"] == "active"
    # No ID number, phone or bank account of the household in the answer.
    text = response.content.decode()
    assert "13893" not in text and "6228480402564890018" not in text


@pytest.mark.parametrize(
    ("field", "value"),
    [("principal", "50000.01"), ("term_months", 37), ("annual_rate", "-1")],
)
def test_bad_terms_are_a_translated_400(township_cadre, household, field, value):
    response = api(township_cadre).post(
        "/api/v1/loans/", _create_body(household, **{field: value}), format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["attr"] == field
    assert not MicroLoan.objects.exists()


def test_a_payment_too_large_is_400_on_amount_in_chinese(township_cadre, household):
    loan = make_loan(township_cadre, household, principal="3000", term=3)
    response = api(township_cadre).post(
        f"/api/v1/loans/{loan.pk}/payments/",
        {"amount": "5000.00", "paid_on": TODAY.isoformat(), "idempotency_key": "tx-1"},
        format="json",
    )
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["attr"] == "amount" and "剩余" in error["detail"]
    assert not LoanPayment.objects.exists()


def test_the_bank_system_posts_a_payment_twice_and_it_counts_once(
    township_cadre, api_client_user, household
):
    loan = make_loan(township_cadre, household)
    body = {"amount": "1043.50", "paid_on": TODAY.isoformat(), "idempotency_key": "bank-77"}
    first = api(api_client_user).post(f"/api/v1/loans/{loan.pk}/payments/", body, format="json")
    again = api(api_client_user).post(f"/api/v1/loans/{loan.pk}/payments/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    listed = api(api_client_user).get(f"/api/v1/loans/{loan.pk}/payments/").json()
    assert [row["amount"] for row in listed] == ["1043.50"]


def test_overdue_report_on_a_loan_not_yet_due_is_400(township_cadre, household):
    loan = make_loan(township_cadre, household)
    response = api(township_cadre).post(f"/api/v1/loans/{loan.pk}/mark-overdue/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "loan"
    assert not Signal.objects.exists()


def test_overdue_report_on_a_late_loan_raises_one_signal(township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=3)
    for _ in range(2):
        response = api(township_cadre).post(f"/api/v1/loans/{loan.pk}/mark-overdue/")
        assert response.status_code == 200, response.content
    assert response.json()["status"] == "overdue" and response.json()["overdue_days"] > 0
    assert Signal.objects.filter(kind="loan_overdue").count() == 1


def test_list_filters(township_cadre, household):
    late = make_loan(township_cadre, household, months_back=3)
    current = make_loan(township_cadre, household, principal="5000")
    client = api(township_cadre)

    def ids(query):
        return {row["id"] for row in client.get(f"/api/v1/loans/{query}").json()["results"]}

    assert ids("") == {late.pk, current.pk}
    assert ids("?overdue=true") == {late.pk}
    assert ids("?overdue=false") == {current.pk}
    assert ids(f"?household={household.pk}&status=active") == {late.pk, current.pk}


def test_an_outsider_is_refused(
    township_cadre, other_township_cadre, other_county_officer, household
):
    loan = make_loan(township_cadre, household)
    for outsider in (other_township_cadre, other_county_officer):
        client = api(outsider)
        assert client.get(f"/api/v1/loans/{loan.pk}/").status_code == 404
        assert client.get("/api/v1/loans/").json()["results"] == []
        paid = client.post(
            f"/api/v1/loans/{loan.pk}/payments/",
            {"amount": "10.00", "paid_on": TODAY.isoformat(), "idempotency_key": "x"},
            format="json",
        )
        assert paid.status_code == 404
        created = client.post("/api/v1/loans/", _create_body(household), format="json")
        assert created.status_code == 400 and created.json()["errors"][0]["attr"] == "household"
        assert household.number not in created.content.decode()
    assert not LoanPayment.objects.exists() and MicroLoan.objects.count() == 1
