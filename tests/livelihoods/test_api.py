import datetime
from decimal import Decimal

from rest_framework.test import APIClient

from livelihoods.models import IndustryPayment, WorkRecord
from livelihoods.services import industry, posts, work
from tests.livelihoods.conftest import TODAY, months_ago


def api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


WORKING = {"status": "working", "place": "outside", "sector": "construction"}


def test_department_system_posts_a_work_record_once(api_client_user, head):
    body = {"member": head.pk, "month": str(months_ago(1)), **WORKING}
    first = api(api_client_user).post("/api/v1/work-records/", body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["source"] == "api" and first.json()["month"] == str(months_ago(1))
    again = api(api_client_user).post("/api/v1/work-records/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert WorkRecord.objects.count() == 1
    # A different month's content without the version: 409, nothing changed.
    changed = api(api_client_user).post(
        "/api/v1/work-records/",
        {"member": head.pk, "month": str(months_ago(1)), "status": "seeking"},
        format="json",
    )
    assert changed.status_code == 409
    assert WorkRecord.objects.get().status == "working"


def test_bad_work_input_is_a_400_with_the_field_in_chinese(village_worker, head, child):
    future = TODAY.replace(year=TODAY.year + 1)
    response = api(village_worker, "zh-hans").post(
        "/api/v1/work-records/",
        {"member": head.pk, "month": str(future), **WORKING},
        format="json",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "month"
    assert "月份" in error["detail"]
    response = api(village_worker).post(
        "/api/v1/work-records/",
        {"member": child.pk, "month": str(months_ago(1)), "status": "studying"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "member"
    assert not WorkRecord.objects.exists()


def test_work_records_are_scoped_and_filtered(
    village_worker, other_township_cadre, other_county_officer, head, spouse
):
    for back in (1, 2, 3):
        work.work_record_save(
            actor=village_worker, member_id=head.pk, month=months_ago(back), **WORKING
        )
    work.work_record_save(
        actor=village_worker, member_id=spouse.pk, month=months_ago(1), status="seeking"
    )
    body = (
        api(village_worker)
        .get(f"/api/v1/work-records/?member={head.pk}&month_from={months_ago(2)}")
        .json()
    )
    assert sorted(row["month"] for row in body["results"]) == [
        str(months_ago(2)),
        str(months_ago(1)),
    ]
    for outsider in (other_township_cadre, other_county_officer):
        assert api(outsider).get("/api/v1/work-records/").json()["results"] == []
        record = WorkRecord.objects.first()
        assert api(outsider).get(f"/api/v1/work-records/{record.pk}/").status_code == 404
        refused = api(outsider).post(
            "/api/v1/work-records/",
            {"member": head.pk, "month": str(months_ago(4)), **WORKING},
            format="json",
        )
        assert refused.status_code == 400
    assert WorkRecord.objects.count() == 4


def test_correcting_through_the_api_checks_the_version(village_worker, township_cadre, head):
    record, _ = work.work_record_save(
        actor=village_worker, member_id=head.pk, month=months_ago(1), **WORKING
    )
    url = f"/api/v1/work-records/{record.pk}/"
    ok = api(township_cadre).patch(url, {"status": "unable", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "unable" and ok.json()["place"] == ""
    stale = api(village_worker).patch(url, {"status": "seeking", "version": 1}, format="json")
    assert stale.status_code == 409


def test_post_payments_through_the_api(township_cadre, village_worker, household, spouse):
    post = posts.post_create(
        actor=township_cadre,
        household_id=household.pk,
        member_id=spouse.pk,
        title="护林员",
        employer="县林草局",
        monthly_pay=Decimal("800"),
        starts_on=months_ago(2),
        ends_on=months_ago(2) + datetime.timedelta(days=330),
    )
    url = f"/api/v1/welfare-posts/{post.pk}/payments/"
    outside = api(township_cadre).post(
        url, {"month": str(months_ago(6)), "amount": "800", "paid_on": str(TODAY)}, format="json"
    )
    assert outside.status_code == 400 and outside.json()["errors"][0]["attr"] == "month"
    paid = api(township_cadre).post(
        url, {"month": str(months_ago(1)), "amount": "800", "paid_on": str(TODAY)}, format="json"
    )
    assert paid.status_code == 201, paid.content
    listed = api(village_worker).get(url).json()
    assert [row["month"] for row in listed] == [str(months_ago(1))]
    # A village worker reads posts but does not pay them.
    refused = api(village_worker).post(
        url, {"month": str(months_ago(2)), "amount": "800", "paid_on": str(TODAY)}, format="json"
    )
    assert refused.status_code == 403


def test_partner_sees_and_pays_its_own_links_only(
    township_cadre, partner, partner_org, cooperative, household
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
        kind="land_rent",
        partner_id=cooperative.pk,
        amount=Decimal("600"),
        starts_on=months_ago(2),
    )
    listed = api(partner).get("/api/v1/industry-supports/").json()["results"]
    assert [row["id"] for row in listed] == [own.pk]
    assert api(partner).get(f"/api/v1/industry-supports/{other.pk}/").status_code == 404
    paid = api(partner).post(
        f"/api/v1/industry-supports/{own.pk}/payments/",
        {"paid_on": str(TODAY), "amount": "2400"},
        format="json",
    )
    assert paid.status_code == 201
    refused = api(partner).post(
        f"/api/v1/industry-supports/{other.pk}/payments/",
        {"paid_on": str(TODAY), "amount": "600"},
        format="json",
    )
    assert refused.status_code == 404
    # A partner cannot create links.
    assert (
        api(partner)
        .post(
            "/api/v1/industry-supports/",
            {
                "household": household.pk,
                "kind": "wages",
                "partner": partner_org.pk,
                "amount": "1",
                "starts_on": str(TODAY),
            },
            format="json",
        )
        .status_code
        == 403
    )
    assert IndustryPayment.objects.count() == 1


def test_claim_decided_through_the_api(township_cadre, auditor, household):
    created = api(township_cadre).post(
        "/api/v1/insurance-claims/",
        {
            "household": household.pk,
            "insurer": "人保财险",
            "cause": "disaster",
            "claimed_on": str(months_ago(1)),
            "amount_claimed": "5000",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/insurance-claims/{created.json()['id']}/decide/"
    over = api(township_cadre).post(
        url,
        {"status": "paid", "decided_on": str(TODAY), "amount_paid": "5001", "version": 1},
        format="json",
    )
    assert over.status_code == 400 and over.json()["errors"][0]["attr"] == "amount_paid"
    assert (
        api(auditor)
        .post(url, {"status": "refused", "decided_on": str(TODAY), "version": 1}, format="json")
        .status_code
        == 403
    )
    ok = api(township_cadre).post(
        url,
        {"status": "paid", "decided_on": str(TODAY), "amount_paid": "4000", "version": 1},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "paid"
    assert (
        api(auditor).get("/api/v1/insurance-claims/").json()["results"][0]["amount_paid"]
        == "4000.00"
    )


def test_a_post_starting_in_the_year_9999_is_a_400_not_a_500(township_cadre, household, spouse):
    """The year-long bound of a post was worked out past the year 9999 (ValueError, 500)."""
    from livelihoods.models import WelfarePost

    client = api(township_cadre, language="zh-hans")
    for starts, ends in (("9999-12-15", "9999-12-31"), ("9999-01-01", "9999-06-01")):
        response = client.post(
            "/api/v1/welfare-posts/",
            {
                "household": household.pk,
                "member": spouse.pk,
                "title": "护林员",
                "employer": "水源村村委会",
                "monthly_pay": "500.00",
                "starts_on": starts,
                "ends_on": ends,
            },
            format="json",
        )
        assert response.status_code == 400, response.content
        assert response.json()["errors"][0]["attr"] == "starts_on"
        assert "一年以内" in response.json()["errors"][0]["detail"]
    assert not WelfarePost.objects.exists()


def test_a_loan_disbursed_decades_ago_is_refused_not_recorded_overdue(township_cadre, household):
    """A loan runs 36 months at most, and 12 more if extended: one disbursed in 1990 (a slip of
    the year) was taken, recorded overdue for decades, and the sweep raised a signal for it."""
    from livelihoods.models import MicroLoan

    client = api(township_cadre, language="zh-hans")
    response = client.post(
        "/api/v1/loans/",
        {
            "household": household.pk,
            "borrower": household.members.get(relation="head").pk,
            "lender": "景泰县农商银行",
            "principal": "5000.00",
            "term_months": 12,
            "annual_rate": "4.350",
            "interest_payer": "subsidy",
            "method": "monthly",
            "disbursed_on": "1990-03-10",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == "disbursed_on"
    assert "四年" in response.json()["errors"][0]["detail"]
    assert not MicroLoan.objects.exists()
