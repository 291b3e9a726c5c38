"""A micro-credit measure's page offers a loan with the measure chosen (through the registry
assistance offers, never by importing livelihoods); the loan form refuses another household's
measure; an industry support is corrected on a page and a post linked to its measure; an
industry payment carries its client's key, sent again or twice at once."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from assistance.services.cases import case_propose
from assistance.services.measures import MeasurePlan, measure_create
from livelihoods.models import IndustryPayment, IndustrySupport, MicroLoan, WelfarePost
from livelihoods.services import industry, posts
from tests.conftest import client_for, committed_db
from tests.livelihoods.conftest import TODAY, months_ago


def _measure(actor, household, kind, title):
    case = household.cases.first()
    if case is None:
        case = case_propose(
            actor=actor,
            household_id=household.pk,
            origin="cadre",
            category="sudden_hardship",  # fits any household
            risk_types=["illness"],
            situation="户主患慢性病",
            responsible_id=actor.pk,
        )
    return measure_create(
        actor=actor,
        case=case,
        plan=MeasurePlan(kind=kind, title=title, responsible_id=actor.pk, planned_start=TODAY),
    )


def _loan_form(head, **extra):
    return {
        "borrower": head.pk,
        "lender": "农商银行",
        "principal": "30000",
        "term_months": "36",
        "annual_rate": "4.35",
        "interest_payer": "subsidy",
        "method": "at_maturity",
        "disbursed_on": TODAY.isoformat(),
        **extra,
    }


def test_a_credit_measure_opens_the_loan_form_with_itself_chosen(
    township_cadre, village_worker, household, head
):
    credit = _measure(township_cadre, household, "micro_credit", "小额信贷贴息")
    other_kind = _measure(township_cadre, household, "industry", "养殖补助")
    client = client_for(township_cadre)
    page = client.get(reverse("measure-detail", args=[credit.pk]))
    new_loan = f"{reverse('loan-create', args=[household.pk])}?measure={credit.pk}"
    assert new_loan in page.content.decode()
    assert "按此措施登记贷款" in page.content.decode()
    # Another kind of measure offers no loan; a role that may not record loans sees no button.
    assert "loan" not in str(
        client.get(reverse("measure-detail", args=[other_kind.pk])).context["measure_links"]
    )
    assert (
        client_for(village_worker)
        .get(reverse("measure-detail", args=[credit.pk]))
        .context["measure_links"]
        == []
    )
    form = client.get(new_loan).context["form"]
    assert form.initial["measure"] == credit.pk
    assert [value for value, _label in form.fields["measure"].choices] == ["", credit.pk]
    response = client.post(new_loan, _loan_form(head, measure=str(credit.pk)))
    assert response.status_code == 302
    loan = MicroLoan.objects.get()
    assert loan.measure == credit
    # The measure's page now lists its loan.
    page = client.get(reverse("measure-detail", args=[credit.pk]))
    assert reverse("loan-page", args=[loan.pk]) in page.content.decode()


def test_the_loan_form_refuses_a_measure_not_the_households(
    township_cadre, other_township_cadre, household, other_township_household, head
):
    _measure(township_cadre, household, "micro_credit", "小额信贷贴息")
    theirs = _measure(other_township_cadre, other_township_household, "micro_credit", "他户信贷")
    wrong_kind = _measure(township_cadre, household, "industry", "养殖补助")
    client = client_for(township_cadre)
    url = reverse("loan-create", args=[household.pk])
    # Opened with another household's measure: nothing is chosen.
    assert client.get(f"{url}?measure={theirs.pk}").context["form"].initial["measure"] is None
    for measure in (theirs, wrong_kind):
        response = client.post(url, _loan_form(head, measure=str(measure.pk)))
        assert response.status_code == 400
        assert response.context["form"].errors["measure"]
    assert not MicroLoan.objects.exists()


def test_an_industry_support_is_corrected_on_its_page(
    township_cadre, other_township_cadre, village_worker, household, cooperative, partner_org
):
    support = industry.support_create(
        actor=township_cadre,
        household_id=household.pk,
        kind="wages",
        partner_id=partner_org.pk,
        amount=Decimal("2400"),
        starts_on=months_ago(2),
    )
    measure = _measure(township_cadre, household, "industry", "养殖补助")
    url = reverse("industry-support-edit", args=[support.pk])
    client = client_for(township_cadre)
    assert url in client.get(reverse("household-livelihood", args=[household.pk])).content.decode()
    form = {
        "partner": cooperative.pk,
        "amount": "3000.00",
        "starts_on": months_ago(3).isoformat(),
        "ends_on": TODAY.isoformat(),
        "measure": measure.pk,
        "note": "改由合作社带动",
        "version": 1,
    }
    assert client.post(url, form).status_code == 302
    support.refresh_from_db()
    assert (support.partner, support.amount, support.starts_on, support.measure) == (
        cooperative,
        Decimal("3000.00"),
        months_ago(3),
        measure,
    )
    # Stale version, end before start, a link without a partner: refused, nothing written.
    for bad in (
        {**form, "amount": "1"},
        {**form, "version": 2, "ends_on": months_ago(4).isoformat()},
        {**form, "version": 2, "partner": ""},
        {**form, "version": 2, "amount": "-5"},
    ):
        response = client.post(url, bad)
        assert response.status_code == 400
    support.refresh_from_db()
    assert support.version == 2 and support.amount == Decimal("3000.00")
    # Once paid, the partner stays (what was paid is the partner's).
    industry.industry_payment_record(
        actor=township_cadre, support=support, paid_on=TODAY, amount=Decimal("100")
    )
    refused = client.post(url, {**form, "version": 2, "partner": partner_org.pk})
    assert refused.status_code == 400 and refused.context["form"].errors["partner"]
    # Outsiders and roles that may not change it.
    assert client_for(other_township_cadre).get(url).status_code == 404
    assert client_for(village_worker).post(url, {**form, "version": 2}).status_code == 403


def test_a_post_is_linked_to_its_measure(township_cadre, household, head):
    post = posts.post_create(
        actor=township_cadre,
        household_id=household.pk,
        member_id=head.pk,
        title="护林员",
        employer="水源村",
        monthly_pay=Decimal("500"),
        starts_on=months_ago(1),
        ends_on=months_ago(1) + datetime.timedelta(days=300),
    )
    measure = _measure(township_cadre, household, "public_post", "公益岗位安置")
    other = _measure(township_cadre, household, "industry", "养殖补助")
    url = reverse("welfare-post-edit", args=[post.pk])
    form = {
        "ends_on": post.ends_on.isoformat(),
        "monthly_pay": "500",
        "measure": measure.pk,
        "version": 1,
    }
    client = client_for(township_cadre)
    assert client.post(url, {**form, "measure": other.pk}).status_code == 400
    assert client.post(url, form).status_code == 302
    assert WelfarePost.objects.get().measure == measure
    # The API's change leaves the measure as it is.
    posts.post_change(actor=township_cadre, post=post, version=2, monthly_pay=Decimal("600"))
    assert WelfarePost.objects.get().measure == measure


# The industry payment's key ----------------------------------------------------------------------


def _support(actor, household, partner_org):
    return industry.support_create(
        actor=actor,
        household_id=household.pk,
        kind="wages",
        partner_id=partner_org.pk,
        amount=Decimal("2400"),
        starts_on=months_ago(2),
    )


def test_an_industry_payment_sent_again_is_counted_once(township_cadre, household, partner_org):
    support = _support(township_cadre, household, partner_org)

    def pay(key, amount="200"):
        return industry.industry_payment_record(
            actor=township_cadre,
            support=support,
            paid_on=TODAY,
            amount=Decimal(amount),
            idempotency_key=key,
        )

    first, created = pay("tx-1")
    again, created_again = pay("tx-1")
    assert created and not created_again and again.pk == first.pk
    # Two payments of the same amount on the same day with two keys are two payments.
    assert pay("tx-2")[1]
    assert IndustryPayment.objects.count() == 2
    with pytest.raises(ValidationError) as error:
        pay("tx-1", amount="300")
    assert "idempotency_key" in error.value.message_dict
    with pytest.raises(ValidationError):
        pay("x" * 65)
    assert IndustryPayment.objects.count() == 2


def test_the_form_and_the_api_carry_the_key(township_cadre, household, partner_org):
    support = _support(township_cadre, household, partner_org)
    client = client_for(township_cadre)
    url = reverse("industry-payment-create", args=[support.pk])
    key = client.get(url).context["form"].initial["idempotency_key"]
    form = {"idempotency_key": key, "paid_on": TODAY.isoformat(), "amount": "200"}
    for _ in range(2):
        assert client.post(url, form).status_code == 302
    assert client.post(url, {**form, "idempotency_key": "another"}).status_code == 302
    assert IndustryPayment.objects.count() == 2
    api = f"/api/v1/industry-supports/{support.pk}/payments/"
    body = {"paid_on": TODAY.isoformat(), "amount": "200.00", "idempotency_key": "partner-9"}
    assert client.post(api, body, content_type="application/json").status_code == 201
    assert client.post(api, body, content_type="application/json").status_code == 200
    changed = {**body, "amount": "250.00"}
    assert client.post(api, changed, content_type="application/json").status_code == 400
    assert IndustryPayment.objects.count() == 3


@committed_db
def test_two_industry_payments_with_one_key_at_once_count_once(
    township_cadre, household, partner_org
):
    support = _support(township_cadre, household, partner_org)
    barrier = threading.Barrier(2)
    errors, created = [], []

    def pay():
        try:
            barrier.wait(timeout=10)
            created.append(
                industry.industry_payment_record(
                    actor=township_cadre,
                    support=support,
                    paid_on=TODAY,
                    amount=Decimal("200"),
                    idempotency_key="tx-once",
                )[1]
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created) == [False, True]
    assert IndustryPayment.objects.filter(support=support).count() == 1
    assert IndustrySupport.objects.get().version == 1


def test_a_post_and_a_support_are_recorded_under_their_measure(
    township_cadre, household, head, cooperative
):
    post_measure = _measure(township_cadre, household, "public_post", "公益岗位安置")
    industry_measure = _measure(township_cadre, household, "industry", "养殖补助")
    client = client_for(township_cadre)
    post = {
        "member": head.pk,
        "title": "保洁员",
        "employer": "水源村",
        "monthly_pay": "500",
        "starts_on": months_ago(1).isoformat(),
        "ends_on": (months_ago(1) + datetime.timedelta(days=300)).isoformat(),
    }
    url = reverse("welfare-post-create", args=[household.pk])
    assert client.post(url, {**post, "measure": industry_measure.pk}).status_code == 400
    assert client.post(url, {**post, "measure": post_measure.pk}).status_code == 302
    assert WelfarePost.objects.get().measure == post_measure
    support = {
        "kind": "wages",
        "partner": cooperative.pk,
        "amount": "1000",
        "starts_on": months_ago(1).isoformat(),
        "measure": industry_measure.pk,
    }
    url = reverse("industry-support-create", args=[household.pk])
    assert client.post(url, {**support, "measure": post_measure.pk}).status_code == 400
    assert client.post(url, support).status_code == 302
    assert IndustrySupport.objects.get().measure == industry_measure
