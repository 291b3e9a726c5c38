"""The needs board (需求清单): published by cadres, claimed (认领) by partners of the area, made a
measure by the cadre's confirmation. Partners read the village and the need, never the household.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, User
from assistance.models import Measure, Need, NeedStatus, ReferralStatus
from assistance.services import needs as need_services
from assistance.services.needs import NeedData
from monitoring.models import Notification
from tests.assistance.conftest import START
from tests.conftest import HOME_COUNTY, OTHER_TOWNSHIP, client_for

pytestmark = pytest.mark.django_db

JSON = "application/json"
NEEDED_BY = START.date() + datetime.timedelta(days=20)


def http(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def publish(cadre, case, **overrides) -> Need:
    data = {
        "case": case.pk,
        "kind": "industry",
        "quantity": "2吨",
        "needed_by": NEEDED_BY,
        "description": "冬季牛羊饲草料",
        **overrides,
    }
    return need_services.need_publish(actor=cadre, data=NeedData.from_data(data))


@pytest.fixture
def need(case, township_cadre) -> Need:
    return publish(township_cadre, case)


@pytest.fixture
def far_partner_user(db) -> User:
    """A partner user whose organisation serves another township only."""
    from assistance.models import Partner, PartnerKind

    far = Partner.objects.create(
        name="芦阳镇志愿服务队",
        kind=PartnerKind.VOLUNTEER_GROUP,
        area_id=OTHER_TOWNSHIP,
        contact_name="孙队长",
        contact_phone="13800002222",
    )
    return User.objects.create_user(
        username="far_partner",
        password="test-password-123",
        role=Role.PARTNER,
        region_id=OTHER_TOWNSHIP,
        partner=far,
    )


def test_a_cadre_publishes_a_need_with_the_village_and_the_need_only(case, township_cadre):
    response = http(township_cadre).post(
        "/api/v1/needs/",
        {
            "case": case.pk,
            "kind": "education",
            "quantity": "1套",
            "needed_by": NEEDED_BY.isoformat(),
            "description": "初中生冬季校服",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    need = Need.objects.get()
    assert need.village_id == case.household.village_id and need.status == NeedStatus.OPEN
    assert response.json()["case"] == case.pk


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("description", "联系户主 13893005678 送饲料"),
        ("description", "身份证 620423196803150014 的户主"),
        ("description", "电话0943-5521234"),
        ("quantity", "13893005678"),
        # Written as people write them, or to get past the check.
        ("description", "联系 138-9300-5678 领取"),
        ("description", "电话 0943.5521234"),
        ("description", "身份证６２０４２３１９６８０３１５００１４"),
        ("description", "身份证 620423/19680315/0014"),
    ],
)
def test_a_need_with_an_id_or_phone_number_is_refused_and_nothing_written(
    case, township_cadre, field, text
):
    with pytest.raises(ValidationError) as raised:
        publish(township_cadre, case, **{field: text})
    assert field in raised.value.message_dict
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("description", "户主张建国需要冬季饲草料"),
        ("description", "李 秀 英 的校服"),
        ("description", "生于1968年3月15日的户主需要轮椅"),
        ("description", "1970-06-21 出生的家庭成员需要护理"),
        ("quantity", "张建国 2吨"),
    ],
)
def test_a_need_naming_the_household_or_a_birth_date_is_refused(case, township_cadre, field, text):
    """A partner reads the village beside the need: a name or a birth date there would tell it
    the household, and a birth date most of an ID number."""
    response = http(township_cadre).post(
        "/api/v1/needs/",
        {
            "case": case.pk,
            "kind": "education",
            "quantity": "1套",
            "needed_by": NEEDED_BY.isoformat(),
            "description": "初中生冬季校服",
            field: text,
        },
        content_type=JSON,
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == field
    assert not Need.objects.exists()
    # Another day, or a word that is no one's name, is fine.
    publish(township_cadre, case, description="2026年3月20日前送到村委会")


def test_a_need_by_a_past_day_or_without_a_description_is_refused(case, township_cadre):
    response = http(township_cadre).post(
        "/api/v1/needs/",
        {
            "case": case.pk,
            "kind": "education",
            "quantity": "1套",
            "needed_by": "2020-01-01",
            "description": "",
        },
        content_type=JSON,
    )
    assert response.status_code == 400
    assert not Need.objects.exists()


def test_a_need_as_a_form_body_is_415(case, township_cadre):
    response = http(township_cadre).post("/api/v1/needs/", {"case": case.pk})
    assert response.status_code == 415
    assert not Need.objects.exists()


def test_a_partner_sees_the_board_of_its_area_without_personal_data(need, partner, household):
    response = http(partner).get("/api/v1/needs/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [need.pk]
    assert rows[0]["case"] is None and rows[0]["measure"] is None
    text = response.content.decode("unicode_escape")
    page = client_for(partner).get(reverse("need-list")).content.decode()
    home = client_for(partner).get(reverse("home")).content.decode()
    assert "冬季牛羊饲草料" in page and "冬季牛羊饲草料" in home
    head = household.members.get(relation="head")
    for body in (text, page, home):
        assert household.number not in body
        assert "张建国" not in body and "李秀英" not in body
        assert head.id_number_masked not in body


def test_a_partner_of_another_area_does_not_see_the_need_and_cannot_claim_it(
    need, far_partner_user
):
    client = http(far_partner_user)
    assert client.get("/api/v1/needs/").json()["results"] == []
    response = client.post(f"/api/v1/needs/{need.pk}/claim/", {}, content_type=JSON)
    assert response.status_code == 404
    assert "outside your area" in response.json()["errors"][0]["detail"]
    with pytest.raises(ValidationError, match="outside the area"):
        need_services.need_claim(actor=far_partner_user, need=need)
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN and need.claimed_by is None


def test_a_claim_becomes_an_accepted_referral_once_the_cadre_confirms_it(
    need, partner, partner_org, township_cadre
):
    claimed = http(partner).post(f"/api/v1/needs/{need.pk}/claim/", {}, content_type=JSON)
    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["status"] == "claimed"
    need.refresh_from_db()
    assert need.claimed_by == partner_org
    # Claimed once: a second claim is refused clearly.
    again = http(partner).post(f"/api/v1/needs/{need.pk}/claim/", {}, content_type=JSON)
    assert again.status_code == 400
    confirmed = http(township_cadre).post(
        f"/api/v1/needs/{need.pk}/confirm/", {"version": need.version}, content_type=JSON
    )
    assert confirmed.status_code == 200, confirmed.content
    need.refresh_from_db()
    measure = Measure.objects.get()
    assert need.status == NeedStatus.CONFIRMED and need.measure == measure
    assert measure.partner == partner_org and measure.case_id == need.case_id
    assert measure.referral_status == ReferralStatus.ACCEPTED
    assert measure.kind == "industry" and measure.planned_end == NEEDED_BY
    # The partner finds it among the measures to deliver, and is told so once.
    assert measure.title in client_for(partner).get(reverse("home")).content.decode()
    told = Notification.objects.get(user=partner, message_key="need_confirmed")
    assert told.link == reverse("measure-detail", args=[measure.pk])
    with translation.override("zh-hans"):
        assert "您认领的需求" in told.rendered and "已确认" in told.rendered


def test_an_open_need_cannot_be_confirmed(need, township_cadre):
    response = http(township_cadre).post(
        f"/api/v1/needs/{need.pk}/confirm/", {"version": need.version}, content_type=JSON
    )
    assert response.status_code == 400
    assert not Measure.objects.exists()


def test_a_cadre_withdraws_a_need_and_it_leaves_the_board(need, township_cadre, partner):
    response = http(township_cadre).post(
        f"/api/v1/needs/{need.pk}/withdraw/", {"version": need.version}, content_type=JSON
    )
    assert response.status_code == 200
    assert http(partner).get("/api/v1/needs/").json()["results"] == []
    claim = http(partner).post(f"/api/v1/needs/{need.pk}/claim/", {}, content_type=JSON)
    assert claim.status_code == 404


def test_a_cadre_cannot_claim_and_a_partner_cannot_confirm(need, township_cadre, partner):
    with pytest.raises(PermissionDenied):
        need_services.need_claim(actor=township_cadre, need=need)
    response = http(partner).post(
        f"/api/v1/needs/{need.pk}/confirm/", {"version": need.version}, content_type=JSON
    )
    assert response.status_code == 403
    assert http(partner).post("/api/v1/needs/", {}, content_type=JSON).status_code == 403


@pytest.mark.parametrize("persona", ["other_township_cadre", "other_county_officer"])
def test_an_outsider_finds_no_need(request, need, persona):
    client = http(request.getfixturevalue(persona))
    assert client.get("/api/v1/needs/").json()["results"] == []
    for action in ("claim", "confirm", "withdraw"):
        response = client.post(
            f"/api/v1/needs/{need.pk}/{action}/", {"version": need.version}, content_type=JSON
        )
        assert response.status_code in (403, 404), action
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN and need.version == 1


def test_the_case_page_publishes_and_confirms_needs(case, township_cadre, partner):
    client = client_for(township_cadre)
    published = client.post(
        reverse("need-publish", args=[case.pk]),
        {
            "kind": "housing",
            "quantity": "1户",
            "needed_by": NEEDED_BY.isoformat(),
            "description": "危房屋顶维修",
        },
    )
    assert published.status_code == 302
    need = Need.objects.get()
    refused = client.post(
        reverse("need-publish", args=[case.pk]),
        {
            "kind": "housing",
            "quantity": "1户",
            "needed_by": NEEDED_BY.isoformat(),
            "description": "联系13893005678",
        },
    )
    assert refused.status_code == 302 and Need.objects.count() == 1
    claim = client_for(partner).post(reverse("need-claim", args=[need.pk]))
    assert claim.status_code == 302
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert reverse("need-confirm", args=[need.pk]) in page
    need.refresh_from_db()
    confirmed = client.post(reverse("need-confirm", args=[need.pk]), {"version": need.version})
    assert confirmed.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.CONFIRMED and need.measure is not None


def test_claims_and_outcomes_count_in_the_partner_record(need, partner, partner_org):
    from assistance.selectors import partner_record

    need_services.need_claim(actor=partner, need=need)
    record = partner_record(partner_org.pk)
    assert record["claimed"] == 1 and record["confirmed"] == 0


def test_a_partner_of_the_county_claims_a_need_of_its_county(need, partner):
    assert partner.partner.area_id == HOME_COUNTY
    claimed = need_services.need_claim(actor=partner, need=need)
    assert claimed.status == NeedStatus.CLAIMED


def test_referrals_and_claims_count_in_the_partners_row_of_the_dashboard(
    need, partner, partner_org, township_cadre, county_officer, case, clock
):
    from assistance.services import referrals as referral_services
    from assistance.services.measures import MeasurePlan, measure_create
    from dashboards.models import Figure
    from dashboards.refresh import figures_refresh
    from dashboards.selectors import dashboard_get
    from households.models import Region

    need_services.need_claim(actor=partner, need=need)
    declined = measure_create(
        actor=township_cadre,
        case=case,
        plan=MeasurePlan(
            kind="employment",
            title="装卸岗位",
            responsible_id=township_cadre.pk,
            planned_start=START.date(),
            partner_id=partner_org.pk,
        ),
    )
    referral_services.measure_decline(actor=partner, measure=declined, reason="岗位已满员")
    figures_refresh(as_of=clock.today())
    key = f"{partner_org.pk}|claimed"
    assert Figure.objects.get(region_code=HOME_COUNTY, metric="partner_claims", key=key).value == 1
    key = f"{partner_org.pk}|declined"
    assert Figure.objects.get(region_code=HOME_COUNTY, metric="partner_referrals", key=key).value
    board = dashboard_get(user=county_officer, region=Region.objects.get(code=HOME_COUNTY))
    contributions = next(c for c in board.charts if c.slug == "partner-contributions")
    row = next(row for row in contributions.rows if row.label == partner_org.name)
    assert list(row.values[-3:]) == [1, 1, 0]
