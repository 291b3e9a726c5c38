import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import EditConflict
from livelihoods.models import (
    IndustryPayment,
    InsuranceClaim,
    PostPayment,
    WelfarePost,
    WorkRecord,
)
from livelihoods.selectors.industry import enterprise_links
from livelihoods.selectors.work import months_worked
from livelihoods.services import industry, insurance, posts, work
from tests.livelihoods.conftest import THIS_MONTH, TODAY, months_ago

WORKING = {
    "status": "working",
    "place": "outside",
    "sector": "construction",
    "employer": "兰州建工",
    "income_band": "3000_5000",
}


# Work records ----------------------------------------------------------------------------------


def test_worker_records_a_month_and_a_resend_is_the_same_row(village_worker, head):
    record, created = work.work_record_save(
        actor=village_worker,
        member_id=head.pk,
        month=months_ago(1) + datetime.timedelta(9),
        **WORKING,
    )
    assert created and record.month == months_ago(1) and record.source == "form"
    again, created = work.work_record_save(
        actor=village_worker, member_id=head.pk, month=months_ago(1), **WORKING
    )
    assert not created and again.pk == record.pk and again.version == 1
    assert WorkRecord.objects.filter(member=head).count() == 1


def test_a_different_resend_needs_the_version(village_worker, head):
    record, _ = work.work_record_save(
        actor=village_worker, member_id=head.pk, month=months_ago(1), **WORKING
    )
    with pytest.raises(EditConflict):
        work.work_record_save(
            actor=village_worker, member_id=head.pk, month=months_ago(1), status="seeking"
        )
    corrected, created = work.work_record_save(
        actor=village_worker, member_id=head.pk, month=months_ago(1), status="seeking", version=1
    )
    assert not created and corrected.status == "seeking" and corrected.version == 2
    assert corrected.place == "" and corrected.employer == ""


def test_correction_on_an_old_version_is_refused(village_worker, township_cadre, head):
    record, _ = work.work_record_save(
        actor=village_worker, member_id=head.pk, month=months_ago(2), **WORKING
    )
    work.work_record_correct(actor=township_cadre, record=record, version=1, employer="白银建工")
    with pytest.raises(EditConflict):
        work.work_record_correct(actor=village_worker, record=record, version=1, status="unable")
    record.refresh_from_db()
    assert record.employer == "白银建工" and record.version == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"month": THIS_MONTH.replace(year=THIS_MONTH.year + 1)}, "month"),
        ({"status": "sleeping"}, "status"),
        ({"status": "seeking", "employer": "兰州建工"}, "status"),
        ({"place": ""}, "place"),
        ({"income_band": "lots"}, "income_band"),
        ({"working_since": THIS_MONTH + datetime.timedelta(days=40)}, "working_since"),
    ],
)
def test_bad_work_input_is_refused_and_nothing_written(village_worker, head, changes, field):
    values = {"month": months_ago(0), **WORKING, **changes}
    with pytest.raises(ValidationError) as error:
        work.work_record_save(actor=village_worker, member_id=head.pk, **values)
    assert field in error.value.message_dict
    assert not WorkRecord.objects.exists()


def test_a_child_is_not_of_working_age(village_worker, child):
    with pytest.raises(ValidationError) as error:
        work.work_record_save(
            actor=village_worker, member_id=child.pk, month=months_ago(1), status="studying"
        )
    assert "16至64岁" in str(error.value.message_dict["member"])
    assert not WorkRecord.objects.exists()


def test_outsider_cannot_record_work(other_township_cadre, partner, auditor, head):
    with pytest.raises(ValidationError):
        work.work_record_save(
            actor=other_township_cadre, member_id=head.pk, month=months_ago(1), **WORKING
        )
    for actor in (partner, auditor):
        with pytest.raises(PermissionDenied):
            work.work_record_save(actor=actor, member_id=head.pk, month=months_ago(1), **WORKING)
    assert not WorkRecord.objects.exists()


def test_months_worked_is_derived_and_never_over_twelve(village_worker, household, head, spouse):
    for back in range(14):
        work.work_record_save(
            actor=village_worker, member_id=head.pk, month=months_ago(back), **WORKING
        )
    work.work_record_save(
        actor=village_worker, member_id=spouse.pk, month=months_ago(1), status="seeking"
    )
    work.work_record_save(actor=village_worker, member_id=spouse.pk, month=months_ago(3), **WORKING)
    result = months_worked([household.pk, 999_999], TODAY)
    assert sorted(result[household.pk]) == [1, 12]
    assert result[999_999] == []
    # A year ago, only the head's two older months and the months since count.
    assert months_worked([household.pk], months_ago(12))[household.pk] == [2]


# Public-welfare posts --------------------------------------------------------------------------


def _post(actor, household, member, **changes):
    values = {
        "title": "村道保洁员",
        "employer": "水源村委会",
        "monthly_pay": Decimal("500.00"),
        "starts_on": months_ago(3),
        "ends_on": months_ago(3) + datetime.timedelta(days=300),
        **changes,
    }
    return posts.post_create(actor=actor, household_id=household.pk, member_id=member.pk, **values)


def test_post_and_its_monthly_pay(township_cadre, household, spouse):
    post = _post(township_cadre, household, spouse)
    assert _post(township_cadre, household, spouse).pk == post.pk  # a form sent twice
    payment, created = posts.post_payment_record(
        actor=township_cadre, post=post, month=months_ago(2), amount=Decimal("500"), paid_on=TODAY
    )
    assert created
    again, created = posts.post_payment_record(
        actor=township_cadre, post=post, month=months_ago(2), amount=Decimal("500"), paid_on=TODAY
    )
    assert not created and again.pk == payment.pk
    with pytest.raises(ValidationError) as error:
        posts.post_payment_record(
            actor=township_cadre,
            post=post,
            month=months_ago(2),
            amount=Decimal("450"),
            paid_on=TODAY,
        )
    assert "month" in error.value.message_dict
    assert PostPayment.objects.count() == 1


def test_post_longer_than_a_year_needs_a_renewal(township_cadre, household, spouse):
    long_end = months_ago(3).replace(year=months_ago(3).year + 1)
    with pytest.raises(ValidationError) as error:
        _post(township_cadre, household, spouse, ends_on=long_end)
    assert "ends_on" in error.value.message_dict
    assert not WelfarePost.objects.exists()
    assert _post(township_cadre, household, spouse, ends_on=long_end, renewed=True).renewed


def test_payment_outside_the_posts_period_is_refused(township_cadre, household, spouse):
    post = _post(township_cadre, household, spouse)
    with pytest.raises(ValidationError) as error:
        posts.post_payment_record(
            actor=township_cadre,
            post=post,
            month=months_ago(5),
            amount=Decimal("500"),
            paid_on=TODAY,
        )
    assert "month" in error.value.message_dict
    with pytest.raises(ValidationError):
        posts.post_payment_record(
            actor=township_cadre,
            post=post,
            month=months_ago(1),
            amount=Decimal("-1"),
            paid_on=TODAY,
        )
    assert not PostPayment.objects.exists()


def test_village_worker_may_not_create_posts(village_worker, household, spouse):
    with pytest.raises(PermissionDenied):
        _post(village_worker, household, spouse)


def test_post_change_checks_its_version(township_cadre, household, spouse):
    post = _post(township_cadre, household, spouse)
    posts.post_change(actor=township_cadre, post=post, version=1, monthly_pay=Decimal("600"))
    with pytest.raises(EditConflict):
        posts.post_change(actor=township_cadre, post=post, version=1, ends_on=TODAY)


# Industry support ------------------------------------------------------------------------------


def test_link_needs_an_enterprise_or_cooperative(township_cadre, household, cooperative):
    from assistance.models import Partner, PartnerKind

    volunteers = Partner.objects.create(
        name="景泰县志愿者协会", kind=PartnerKind.VOLUNTEER_GROUP, area_id="620423000000"
    )
    with pytest.raises(ValidationError) as error:
        industry.support_create(
            actor=township_cadre,
            household_id=household.pk,
            kind="wages",
            partner_id=volunteers.pk,
            amount=Decimal("2000"),
            starts_on=months_ago(2),
        )
    assert "partner" in error.value.message_dict
    with pytest.raises(ValidationError):
        industry.support_create(
            actor=township_cadre,
            household_id=household.pk,
            kind="dividends",
            amount=Decimal("2000"),
            starts_on=months_ago(2),
        )
    link = industry.support_create(
        actor=township_cadre,
        household_id=household.pk,
        kind="dividends",
        partner_id=cooperative.pk,
        amount=Decimal("800"),
        starts_on=months_ago(2),
    )
    assert link.partner == cooperative
    assert enterprise_links([household.pk], TODAY) == {household.pk: 1}
    assert enterprise_links([household.pk], months_ago(3)) == {household.pk: 0}


def test_partner_records_payments_of_its_own_links_only(
    township_cadre, household, partner, partner_org, cooperative
):
    own = industry.support_create(
        actor=township_cadre,
        household_id=household.pk,
        kind="wages",
        partner_id=partner_org.pk,
        amount=Decimal("2400"),
        starts_on=months_ago(2),
    )
    other = industry.support_create(
        actor=township_cadre,
        household_id=household.pk,
        kind="purchase",
        partner_id=cooperative.pk,
        amount=Decimal("1000"),
        starts_on=months_ago(2),
    )
    payment, created = industry.industry_payment_record(
        actor=partner, support=own, paid_on=TODAY, amount=Decimal("2400")
    )
    assert created and payment.recorded_by == partner
    with pytest.raises(PermissionDenied):
        industry.industry_payment_record(
            actor=partner, support=other, paid_on=TODAY, amount=Decimal("1000")
        )
    with pytest.raises(ValidationError):
        industry.industry_payment_record(
            actor=township_cadre, support=own, paid_on=months_ago(3), amount=Decimal("10")
        )
    with pytest.raises(ValidationError) as nothing:
        industry.industry_payment_record(
            actor=partner, support=own, paid_on=TODAY, amount=Decimal("0")
        )
    assert "amount" in nothing.value.message_dict
    assert IndustryPayment.objects.count() == 1


# Insurance claims ------------------------------------------------------------------------------


def test_claim_paid_no_more_than_claimed(township_cadre, household):
    claim, created = insurance.claim_create(
        actor=township_cadre,
        household_id=household.pk,
        insurer="人保财险景泰支公司",
        cause="illness",
        claimed_on=months_ago(1),
        amount_claimed=Decimal("8000"),
    )
    assert created
    again, created = insurance.claim_create(
        actor=township_cadre,
        household_id=household.pk,
        insurer="人保财险景泰支公司",
        cause="illness",
        claimed_on=months_ago(1),
        amount_claimed=Decimal("8000"),
    )
    assert not created and again.pk == claim.pk
    with pytest.raises(ValidationError) as error:
        insurance.claim_decide(
            actor=township_cadre,
            claim=claim,
            version=1,
            status="paid",
            decided_on=TODAY,
            amount_paid=Decimal("8000.01"),
        )
    assert "amount_paid" in error.value.message_dict
    claim.refresh_from_db()
    assert claim.status == "claimed" and claim.amount_paid is None
    insurance.claim_decide(
        actor=township_cadre,
        claim=claim,
        version=1,
        status="paid",
        decided_on=TODAY,
        amount_paid=Decimal("6000"),
    )
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.amount_paid == Decimal("6000")


def test_claim_bad_input(township_cadre, other_township_cadre, household):
    base = {
        "household_id": household.pk,
        "insurer": "人保财险",
        "cause": "illness",
        "claimed_on": months_ago(1),
        "amount_claimed": Decimal("100"),
    }
    for changes, field in (
        ({"cause": "boredom"}, "cause"),
        ({"claimed_on": TODAY + datetime.timedelta(days=3)}, "claimed_on"),
        ({"amount_claimed": Decimal("-5")}, "amount_claimed"),
        ({"insurer": " "}, "insurer"),
    ):
        with pytest.raises(ValidationError) as error:
            insurance.claim_create(actor=township_cadre, **{**base, **changes})
        assert field in error.value.message_dict
    with pytest.raises(ValidationError):
        insurance.claim_create(actor=other_township_cadre, **base)
    assert not InsuranceClaim.objects.exists()


def test_a_link_cannot_end_before_what_its_partner_paid(township_cadre, household, partner_org):
    """A support's end moved before a payment left the payment outside the period (a post's end
    was guarded, the support's was not); refused, and nothing changed."""
    support = industry.support_create(
        actor=township_cadre,
        household_id=household.pk,
        kind="wages",
        partner_id=partner_org.pk,
        amount=Decimal("2400"),
        starts_on=months_ago(2),
    )
    industry.industry_payment_record(
        actor=township_cadre, support=support, paid_on=TODAY, amount=Decimal("800")
    )
    with pytest.raises(ValidationError) as refused:
        industry.support_change(
            actor=township_cadre,
            support=support,
            version=support.version,
            ends_on=TODAY - datetime.timedelta(days=1),
        )
    assert "ends_on" in refused.value.message_dict
    support.refresh_from_db()
    assert support.ends_on is None and support.version == 1
    # On the day of the payment or later, it may end.
    changed = industry.support_change(
        actor=township_cadre, support=support, version=support.version, ends_on=TODAY
    )
    assert changed.ends_on == TODAY
