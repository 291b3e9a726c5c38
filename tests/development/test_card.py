"""The household's card (明白卡): what it says, and that nothing masked can be read or rebuilt
from it: no ID number (whole or masked), phone, bank account, birth date or health detail."""

import datetime
import re
from decimal import Decimal

import pytest

from assistance.models import Case, Measure
from households.models import Member
from tests.conftest import client_for
from tests.security.conftest import body_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def measures(household, township_cadre, clock):
    """An employment measure in progress, a loan delivered that runs on after the case, a
    health measure whose title names an illness, and one stopped (not on the card)."""
    case = Case.objects.create(
        household=household,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="因病",
        proposed_by=township_cadre,
        proposed_on=clock.today(),
        status="enrolled",
    )
    common = {"case": case, "responsible": township_cadre, "created_by": township_cadre}
    today = clock.today()
    return [
        Measure.objects.create(
            kind="employment",
            title="公益性岗位护林员",
            planned_start=today,
            planned_end=today + datetime.timedelta(days=200),
            planned_amount=Decimal("6000"),
            status="in_progress",
            **common,
        ),
        Measure.objects.create(
            kind="micro_credit",
            title="小额信贷五万元",
            planned_start=today,
            planned_end=today + datetime.timedelta(days=700),
            delivered_amount=Decimal("50000"),
            status="delivered",
            continues_after_case=True,
            **common,
        ),
        Measure.objects.create(
            kind="health",
            title="高血压慢病门诊报销",
            planned_start=today,
            planned_amount=Decimal("800"),
            status="in_progress",
            **common,
        ),
        Measure.objects.create(
            kind="housing",
            title="危房改造已停止",
            planned_start=today,
            status="stopped",
            **common,
        ),
    ]


def test_the_card_shows_cadre_measures_plan_and_how_to_report(
    agreed, measures, household, village_worker, township_cadre, clock
):
    from pairings.services import pairing_assign

    pairing_assign(actor=township_cadre, household_id=household.pk, cadre_id=village_worker.pk)
    response = client_for(village_worker).get(f"/households/{household.pk}/card/")
    assert response.status_code == 200
    text = body_text(response)
    assert "张建国" in text
    assert village_worker.display_name in text  # the responsible cadre
    assert "公益性岗位护林员" in text and "小额信贷五万元" in text
    assert "50,000.00" in text or "50000" in text
    assert "危房改造已停止" not in text  # a stopped measure is not received
    assert "男主人到县城稳定务工" in text and "参加县里的电焊培训" in text
    assert "推荐到工业园区就业" in text
    assert "12317" in text
    assert f"/report/{household.village_id}/" in text  # the QR code's address, written out
    assert "<svg" in response.content.decode()


def test_the_card_carries_no_identifier_contact_birth_date_or_health_detail(
    agreed, measures, household, village_worker
):
    text = body_text(client_for(village_worker).get(f"/households/{household.pk}/card/"))
    members = list(Member.objects.filter(household=household))
    forbidden = ["13893001234", "13893005678", "6228480402564890018", "高血压", "慢病"]
    for member in members:
        forbidden += [member.id_number_masked, member.birth_date.isoformat()]
        forbidden.append(member.birth_date.strftime("%Y%m%d"))
        if member.health != Member.Health.HEALTHY:
            forbidden.append(member.get_health_display())
    forbidden.append("4890018")  # the bank account's tail, as a masked number would show it
    for value in forbidden:
        assert value not in text, value
    assert not re.search(r"\d{6}\*+\d{3,4}", text)  # no masked ID number of any shape
    assert not re.search(r"1[3-9]\d\*{4}\d{4}", text)  # no masked phone
    assert not re.search(r"\*{4,}", text)  # nothing masked at all
    # The health goal shows by its area only, without its words; a health measure by its kind.
    assert "控制高血压按时服药" not in text
    assert "健康" in text
    # No age either: with the village and the head's name it narrows the birth date.
    assert "岁" not in text


def test_the_card_is_refused_outside_the_region_and_to_partners(
    household, other_township_cadre, partner, agreed
):
    for user in (other_township_cadre, partner):
        response = client_for(user).get(f"/households/{household.pk}/card/")
        assert response.status_code in (403, 404)
        assert "张建国" not in body_text(response)


def test_the_card_lists_loans_and_posts_recorded_without_a_measure_once(
    measures, household, township_cadre, clock
):
    """A loan or a post recorded in livelihoods is received as much as a case's measure; one
    recorded under a measure already on the card is not listed twice."""
    from livelihoods.services.credit import loan_create
    from livelihoods.services.posts import post_create

    today = clock.today()
    head, spouse = household.members.order_by("id")[:2]
    loan_create(
        actor=township_cadre,
        household_id=household.pk,
        borrower_id=head.pk,
        lender="县农商银行",
        principal=Decimal("30000"),
        term_months=24,
        annual_rate=Decimal("3.45"),
        method="monthly",
        disbursed_on=today - datetime.timedelta(days=30),
    )
    loan_create(
        actor=township_cadre,
        household_id=household.pk,
        borrower_id=spouse.pk,
        lender="县邮储银行",
        principal=Decimal("20000"),
        term_months=12,
        annual_rate=Decimal("3.45"),
        method="monthly",
        disbursed_on=today - datetime.timedelta(days=30),
        measure_id=measures[1].pk,  # the credit measure the card already shows
    )
    post_create(
        actor=township_cadre,
        household_id=household.pk,
        member_id=spouse.pk,
        title="村级保洁员",
        employer="村委会",
        monthly_pay=Decimal("500"),
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=300),
    )
    text = body_text(client_for(township_cadre).get(f"/households/{household.pk}/card/"))
    assert "县农商银行" in text and "30,000.00" in text
    assert "村级保洁员" in text and "每月500" in text
    assert "县邮储银行" not in text  # its measure, 小额信贷五万元, stands for it
    assert "小额信贷五万元" in text
