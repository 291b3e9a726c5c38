"""The same walk as the services' tests, through the pages each role uses."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance.models import Case, CaseStatus, Measure, MeasureStatus
from assistance.services.measures import MeasurePlan, measure_create
from households.models import Household
from tests.assistance.conftest import visit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _post_step(user, case, kind, **data):
    """A step posted by the user, logged in afresh: sessions expire after 30 idle minutes and
    these tests move the clock by days."""
    case.refresh_from_db()
    response = client_for(user).post(
        reverse("case-step", args=[case.pk, kind]),
        {"version": case.version, "decision": "approved", "comment": "", **data},
    )
    assert response.status_code != 302 or response["Location"] == reverse(
        "case-detail", args=[case.pk]
    )
    return response


def _post_notice(user, case, starts_on, ends_on):
    case.refresh_from_db()
    return client_for(user).post(
        reverse("case-notice-post", args=[case.pk]),
        {"version": case.version, "starts_on": starts_on, "ends_on": ends_on},
    )


def test_a_household_walks_from_warning_to_risk_eliminated_through_the_pages(
    confirmed_alert,
    clock,
    village_worker,
    township_cadre,
    county_officer,
    partner_org,
    partner,
):
    worker, cadre, county = village_worker, township_cadre, county_officer
    # The confirmed warning offers to open a case, with risk types suggested from its reasons.
    page = client_for(cadre).get(reverse("alert-detail", args=[confirmed_alert.pk]))
    assert reverse("case-propose") in page.content.decode()
    form = client_for(cadre).get(reverse("case-propose"), {"alert": confirmed_alert.pk})
    assert form.status_code == 200
    response = client_for(cadre).post(
        reverse("case-propose"),
        {
            "origin": "alert",
            "household": confirmed_alert.household_id,
            "alert": confirmed_alert.pk,
            "category": "unstable",
            "risk_types": ["illness", "unstable_work"],
            "situation": "户主患病，务工收入中断",
            "social_assistance": "none",
            "responsible": township_cadre.pk,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case-detail", args=[case.pk])

    # The village worker sees the step waiting for them on a phone.
    detail = client_for(worker).get(reverse("case-detail", args=[case.pk])).content.decode()
    assert reverse("case-step", args=[case.pk, "consent"]) in detail
    clock.advance(1)
    assert _post_step(worker, case, "consent").status_code == 302
    assert _post_step(cadre, case, "info_check", info_check_result="consistent").status_code == 302
    assert _post_step(worker, case, "deliberation").status_code == 302
    today = clock.today()
    assert _post_notice(worker, case, today, today + datetime.timedelta(days=4)).status_code == 302
    clock.advance(5)
    assert _post_step(worker, case, "notice", objections="").status_code == 302
    assert _post_step(cadre, case, "township_review").status_code == 302
    assert _post_step(county, case, "county_approval").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED

    # A measure from the partner, delivered by the partner on its own page.
    response = client_for(cadre).post(
        reverse("measure-create", args=[case.pk]),
        {
            "kind": "employment",
            "title": "物流园装卸岗位",
            "partner": partner_org.pk,
            "responsible": township_cadre.pk,
            "planned_start": clock.today(),
            "members": [case.household.members.get(relation="spouse").pk],
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get()
    response = client_for(partner).post(
        reverse("measure-detail", args=[measure.pk]),
        {
            "version": measure.version,
            "status": "delivered",
            "actual_start": clock.today(),
            "result": "已上岗",
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DELIVERED
    # The responsible cadre hears of it.
    assert township_cadre.notifications.filter(text__contains="物流园").exists()

    for _ in range(6):
        clock.advance(31)
        visit(village_worker, case.household, on=clock.today(), per_person=Decimal("9000"))
    detail = client_for(worker).get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "✗" not in detail
    case.refresh_from_db()
    response = client_for(worker).post(
        reverse("case-elimination", args=[case.pk]), {"version": case.version, "comment": ""}
    )
    assert response.status_code == 302
    assert _post_step(worker, case, "home_verification").status_code == 302
    assert _post_step(worker, case, "deliberation").status_code == 302
    today = clock.today()
    assert _post_notice(worker, case, today, today + datetime.timedelta(days=4)).status_code == 302
    clock.advance(5)
    assert _post_step(worker, case, "notice").status_code == 302
    assert _post_step(cadre, case, "township_review").status_code == 302
    assert _post_step(county, case, "county_approval").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ELIMINATED
    assert Household.objects.get(pk=case.household_id).risk_eliminated_on == clock.today()


@pytest.mark.parametrize(
    "persona", ["township_cadre", "county_officer", "auditor", "other_township_cadre"]
)
def test_a_step_of_another_role_is_refused_and_nothing_changes(request, case, persona):
    response = _post_step(request.getfixturevalue(persona), case, "consent")
    assert response.status_code in (403, 404)
    assert case.steps.get(kind="consent").decision == ""


def test_a_step_out_of_order_is_explained_on_the_page(case, township_cadre):
    response = _post_step(township_cadre, case, "township_review")
    assert response.status_code == 400
    assert "按顺序" in response.content.decode()
    assert case.steps.get(kind="township_review").decision == ""


def test_a_short_notice_is_refused_in_chinese(case, clock, village_worker, township_cadre):
    worker = village_worker
    _post_step(worker, case, "consent")
    _post_step(township_cadre, case, "info_check", info_check_result="consistent")
    _post_step(worker, case, "deliberation")
    today = clock.today()
    response = _post_notice(worker, case, today, today + datetime.timedelta(days=2))
    assert response.status_code == 400
    assert "不少于 5 天" in response.content.decode()
    assert case.steps.get(kind="notice").notice_starts_on is None


def test_the_public_notice_carries_no_sensitive_field(case, clock, village_worker, township_cadre):
    worker = village_worker
    _post_step(worker, case, "consent")
    _post_step(township_cadre, case, "info_check", info_check_result="consistent")
    _post_step(worker, case, "deliberation")
    today = clock.today()
    _post_notice(worker, case, today, today + datetime.timedelta(days=4))
    page = client_for(worker).post(reverse("case-notice-print", args=[case.pk])).content.decode()
    household = case.household
    assert household.head_name in page
    assert "脱贫不稳定户" in page
    for member in household.members.all():
        assert member.id_number_masked not in page
        assert member.id_number_masked[-4:] not in page
        assert member.phone == "" or member.phone not in page
        assert member.health_note == "" or member.health_note not in page
    assert household.phone not in page
    assert household.bank_account not in page
    assert not re.search(r"\d{15,}", page)


def test_an_outsider_gets_404_on_every_case_page(case, other_township_cadre, other_county_officer):
    for user in (other_township_cadre, other_county_officer):
        client = client_for(user)
        for name in ("case-detail", "case-notice-print", "case-edit", "measure-create"):
            send = client.post if name == "case-notice-print" else client.get  # a print is a POST
            assert send(reverse(name, args=[case.pk])).status_code in (403, 404), name


def test_a_partner_sees_only_its_measures_and_no_case(
    case, township_cadre, partner_org, partner, other_partner
):
    def plan(partner_id, title):
        return MeasurePlan(
            kind="social_help",
            title=title,
            responsible_id=township_cadre.pk,
            planned_start=case.proposed_on,
            partner_id=partner_id,
        )

    ours = measure_create(actor=township_cadre, case=case, plan=plan(partner_org.pk, "送化肥"))
    theirs = measure_create(
        actor=township_cadre, case=case, plan=plan(other_partner.pk, "临时救助")
    )
    client = client_for(partner)
    listing = client.get(reverse("measure-list")).content.decode()
    assert "送化肥" in listing and "临时救助" not in listing
    assert client.get(reverse("measure-detail", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("measure-detail", args=[ours.pk])).content.decode()
    assert case.household.head_name in page
    for member in case.household.members.all():
        assert member.id_number_masked not in page
    assert "高血压" not in page
    assert case.household.phone not in page
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 403
    assert client.get(reverse("case-list")).status_code == 403


def test_the_case_list_and_overdue_list(case, clock, township_cadre, county_officer):
    clock.advance(4)
    cadre = client_for(township_cadre)
    listing = cadre.get(reverse("case-list"), {"show": "all"})
    assert listing.status_code == 200
    assert case.household.head_name in listing.content.decode()
    overdue = client_for(county_officer).get(reverse("case-overdue")).content.decode()
    assert "承诺授权" in overdue


def test_the_case_list_does_not_grow_queries_with_cases(
    django_assert_max_num_queries, case, township_cadre, other_township_household
):
    cadre = client_for(township_cadre)
    cadre.get(reverse("case-list"), {"show": "all"})
    # One more than the list itself: the recent deliberation meetings and their notices.
    with django_assert_max_num_queries(13):
        cadre.get(reverse("case-list"), {"show": "all"})


def test_a_cadre_registers_a_partner_and_its_offer_shows_on_a_case(
    case, clock, township_cadre, county_officer
):
    county = client_for(county_officer)
    response = county.post(
        reverse("partner-create"),
        {
            "name": "景泰县劳务服务公司",
            "kind": "state_enterprise",
            "department": "",
            "area": "620423000000",
            "contact_name": "孙主任",
            "contact_phone": "0943-5523333",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from assistance.models import Partner

    partner = Partner.objects.get(name="景泰县劳务服务公司")
    response = county.post(
        reverse("offer-create", args=[partner.pk]),
        {
            "kind": "jobs",
            "measure_kind": "employment",
            "title": "县城物流园装卸工 20 名",
            "area": "620423000000",
            "quantity": 20,
            "unit": "人",
            "available_from": clock.today(),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    # The household has an able member without work (the spouse), so the job offer fits.
    case.household.members.filter(relation="spouse").update(work="none")
    page = client_for(township_cadre).get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "县城物流园装卸工 20 名" in page


def test_a_partner_record_with_an_end_before_its_start_is_refused(
    case, clock, township_cadre, partner_org, partner
):
    measure = measure_create(
        actor=township_cadre,
        case=case,
        plan=MeasurePlan(
            kind="social_help",
            title="送化肥",
            responsible_id=township_cadre.pk,
            planned_start=case.proposed_on,
            partner_id=partner_org.pk,
        ),
    )
    response = client_for(partner).post(
        reverse("measure-detail", args=[measure.pk]),
        {
            "version": measure.version,
            "status": "delivered",
            "actual_start": clock.today(),
            "actual_end": clock.today() - datetime.timedelta(days=3),
            "delivered_amount": "-5",
            "result": "送到",
        },
    )
    assert response.status_code == 400
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED


def test_an_offer_with_an_impossible_quantity_is_refused(clock, county_officer, partner_org):
    from assistance.models import PartnerOffer

    response = client_for(county_officer).post(
        reverse("offer-create", args=[partner_org.pk]),
        {
            "kind": "jobs",
            "measure_kind": "employment",
            "title": "装卸工",
            "area": "620423000000",
            "quantity": 99999999999,
            "available_from": clock.today(),
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert not PartnerOffer.objects.exists()
