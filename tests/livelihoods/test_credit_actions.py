"""The loan page's own doors for what the API did alone: an extension (展期), a write-off (核销)
and a report of the loan overdue, each a small form with its reason, shown to the roles that may
send it, sent through the API's services; and the interest an extension must not drop."""

from decimal import Decimal

from django.urls import reverse

from livelihoods.models import LoanInstalment, LoanStatus, MicroLoan
from livelihoods.selectors import credit as selectors
from livelihoods.services import credit
from monitoring.models import Signal
from tests.conftest import client_for
from tests.livelihoods.credit_helpers import TODAY, make_loan


def _page(user, loan):
    return client_for(user).get(reverse("loan-page", args=[loan.pk]))


def test_the_forms_are_shown_to_the_roles_that_may_send_them(
    township_cadre, village_worker, auditor, household
):
    loan = make_loan(township_cadre, household, months_back=2)
    cadre = _page(township_cadre, loan)
    assert set(cadre.context["actions"]) == {"extend", "write_off", "mark_overdue"}
    html = cadre.content.decode()
    assert reverse("loan-extend", args=[loan.pk]) in html
    assert "展期" in html
    # A village worker records payments and may report the loan overdue, no more.
    assert set(_page(village_worker, loan).context["actions"]) == {"mark_overdue"}
    assert _page(auditor, loan).context["actions"] == {}


def test_a_loan_not_due_offers_no_overdue_report(township_cadre, household):
    loan = make_loan(township_cadre, household)
    assert set(_page(township_cadre, loan).context["actions"]) == {"extend", "write_off"}


def test_an_extension_from_the_page(township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=2)
    response = client_for(township_cadre).post(
        reverse("loan-extend", args=[loan.pk]),
        {"months": "6", "reason": "受灾减产", "version": loan.version},
    )
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == LoanStatus.EXTENDED and loan.extended_on == TODAY
    assert loan.note == "受灾减产"
    # Extended once: the form is not offered again.
    assert "extend" not in _page(township_cadre, loan).context["actions"]


def test_an_extension_refused_writes_nothing(township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=2)
    client = client_for(township_cadre)
    url = reverse("loan-extend", args=[loan.pk])
    for data in (
        {"months": "13", "reason": "受灾", "version": loan.version},  # more than 12 months
        {"months": "x", "reason": "受灾", "version": loan.version},
        {"months": "6", "reason": "", "version": loan.version},  # no reason
        {"months": "6", "reason": "受灾", "version": loan.version + 5},  # stale version
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert response.context["open_action"] == "extend"
        assert response.context["actions"]["extend"].errors
    loan.refresh_from_db()
    assert loan.extended_on is None and loan.version == 1
    assert not loan.instalments.filter(cancelled=True).exists()


def test_a_write_off_from_the_page(county_officer, household):
    loan = make_loan(county_officer, household)
    client = client_for(county_officer)
    url = reverse("loan-write-off", args=[loan.pk])
    refused = client.post(url, {"reason": "  ", "version": loan.version})
    assert refused.status_code == 400 and refused.context["actions"]["write_off"].errors
    assert MicroLoan.objects.get().status == LoanStatus.ACTIVE
    assert client.post(url, {"reason": "借款人去世", "version": loan.version}).status_code == 302
    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF and loan.closed_on == TODAY
    # Closed: nothing more is offered.
    assert _page(county_officer, loan).context["actions"] == {}


def test_a_report_of_overdue_from_the_page(village_worker, township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=1, days_back=1)
    client = client_for(village_worker)
    url = reverse("loan-mark-overdue", args=[loan.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert not Signal.objects.exists()
    assert client.post(url, {"reason": "银行电话告知"}).status_code == 302
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OVERDUE and Signal.objects.count() == 1
    # The spell is reported: the form is gone, and sending it again adds no signal.
    assert "mark_overdue" not in _page(village_worker, loan).context["actions"]
    client.post(url, {"reason": "再次"})
    assert Signal.objects.count() == 1


def test_a_loan_with_nothing_due_cannot_be_reported_overdue(township_cadre, household):
    loan = make_loan(township_cadre, household)
    response = client_for(township_cadre).post(
        reverse("loan-mark-overdue", args=[loan.pk]), {"reason": "听说"}
    )
    assert response.status_code == 400
    assert response.context["actions"]["mark_overdue"].errors
    assert not Signal.objects.exists()


def test_outsiders_and_other_roles_are_refused(
    township_cadre, other_township_cadre, village_worker, auditor, household
):
    loan = make_loan(township_cadre, household, months_back=2)
    extend = {"months": "6", "reason": "受灾", "version": loan.version}
    write_off = {"reason": "核销", "version": loan.version}
    outsider = client_for(other_township_cadre)
    assert outsider.post(reverse("loan-extend", args=[loan.pk]), extend).status_code == 404
    assert outsider.post(reverse("loan-write-off", args=[loan.pk]), write_off).status_code == 404
    assert (
        outsider.post(reverse("loan-mark-overdue", args=[loan.pk]), {"reason": "x"}).status_code
        == 404
    )
    worker = client_for(village_worker)
    assert worker.post(reverse("loan-extend", args=[loan.pk]), extend).status_code == 403
    assert worker.post(reverse("loan-write-off", args=[loan.pk]), write_off).status_code == 403
    watcher = client_for(auditor)
    assert (
        watcher.post(reverse("loan-mark-overdue", args=[loan.pk]), {"reason": "x"}).status_code
        == 403
    )
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE and loan.version == 1
    assert not Signal.objects.exists()


# The interest an extension replaces ---------------------------------------------------------


def _extend(actor, loan, months=6):
    loan.refresh_from_db()
    return credit.loan_extend(
        actor=actor, loan_id=loan.pk, version=loan.version, months=months, reason="受灾"
    )


def _new_rows(loan, after):
    return list(
        LoanInstalment.objects.filter(loan=loan, number__gt=after, cancelled=False).order_by(
            "number"
        )
    )


def test_the_unpaid_interest_of_instalments_due_is_carried(township_cadre, household):
    # Two instalments fell due (the second today), nothing was paid: their interest is owed.
    loan = make_loan(township_cadre, household, months_back=2)
    owed = sum(row.interest_due for row in loan.instalments.filter(number__in=(1, 2)))
    assert owed == Decimal("43.50") + Decimal("39.88")
    _extend(township_cadre, loan)
    first = _new_rows(loan, 12)[0]
    # The new schedule charges the whole principal from today (12,000 × 4.35% / 12), plus what
    # was owed.
    assert first.principal_due + sum(r.principal_due for r in _new_rows(loan, 13)) == 12000
    assert first.interest_due == Decimal("43.50") + owed


def test_the_interest_of_a_period_under_way_is_carried_pro_rata(township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=2, days_back=10)
    rows = list(loan.instalments.order_by("number"))
    due = [row for row in rows if row.due_on <= TODAY]
    under_way = next(row for row in rows if row.due_on > TODAY)
    start = rows[under_way.number - 2].due_on
    share = Decimal((TODAY - start).days) / Decimal((under_way.due_on - start).days)
    accrued = (under_way.interest_due * share).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert 0 < accrued < under_way.interest_due
    _extend(township_cadre, loan)
    first = _new_rows(loan, 12)[0]
    scheduled = (Decimal("12000") * Decimal("0.0435") / 12).quantize(Decimal("0.01"))
    assert first.interest_due == scheduled + sum(r.interest_due for r in due) + accrued


def test_interest_paid_is_not_carried_and_nothing_is_lost(township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=2)
    first = loan.instalments.get(number=1)
    credit.loan_pay(
        actor=township_cadre,
        loan_id=loan.pk,
        amount=first.interest_due + Decimal("100"),
        paid_on=TODAY,
        idempotency_key="k-1",
    )
    before = selectors.balance_of(loan, TODAY)
    second = loan.instalments.get(number=2)
    _extend(township_cadre, loan)
    settled = loan.instalments.get(number=1)
    # Instalment 1 is settled at what was paid: its interest and 100 of principal.
    assert settled.interest_due == Decimal("43.50") and settled.principal_due == 100
    new = _new_rows(loan, 12)
    assert new[0].interest_due - Decimal("43.14") == second.interest_due  # 11,900 × 4.35% / 12
    after = selectors.balance_of(loan, TODAY)
    assert after.paid == before.paid
    # What remains: all the principal not repaid, the interest owed, the new periods' interest.
    assert sum(r.principal_due for r in new) == Decimal("11900.00")
    assert after.remaining == Decimal("11900.00") + sum(r.interest_due for r in new)
