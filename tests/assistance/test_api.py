"""Cases, measures and partners through the REST door, persona by persona, with time pinned."""

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Role, User
from assistance.models import Case, CaseStatus, CaseStep, Measure, Partner, PartnerOffer, Phase
from assistance.services import cases as case_services
from assistance.services.measures import MeasurePlan, measure_create, measure_record_delivery
from households import services as household_services
from households.models import Household, Member
from tests.assistance.conftest import START, step, visit, walk_identification
from tests.conftest import HOME_COUNTY, HOME_TOWNSHIP, HOME_VILLAGE, client_for, committed_db
from tests.idgen import make_id_number

# The national 15 calendar days (the home county follows Gansu's working days otherwise).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_deadlines")]

JSON = "application/json"
DAY = datetime.timedelta(days=1)
# Keys that would carry a person's identity, contact or health; no measure payload has them.
PRIVATE_KEYS = {
    "id_number",
    "id_number_masked",
    "phone",
    "bank_account",
    "address",
    "health",
    "health_note",
    "disability",
    "birth_date",
}


def http(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def post(client, url: str, body: dict):
    return client.post(url, body, content_type=JSON)


def case_url(case_id: int, action: str = "") -> str:
    return f"/api/v1/cases/{case_id}/" + (f"{action}/" if action else "")


def all_keys(data) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in all_keys(value)}
    if isinstance(data, list):
        return {key for value in data for key in all_keys(value)}
    return set()


def error_codes(response) -> set[str]:
    return {error["code"] for error in response.json()["errors"]}


def error_attrs(response) -> set[str]:
    return {error["attr"] for error in response.json()["errors"]}


def visit_body(household, on: datetime.date, per_person: int) -> dict:
    """A two-person household's visit with every guarantee secured."""
    return {
        "household": household.pk,
        "client_uuid": str(uuid.uuid4()),
        "visited_on": on.isoformat(),
        "household_size": 2,
        "wage_income": str(per_person * 2),
        "business_income": "0",
        "property_income": "0",
        "transfer_income": "0",
        "medical_spending": "0",
        "education_spending": "0",
        "disaster_loss": "0",
        "food_clothing_ok": True,
        "compulsory_education_ok": True,
        "basic_medical_ok": True,
        "safe_housing_ok": True,
        "safe_water_ok": True,
    }


def plan(case, responsible, **overrides) -> MeasurePlan:
    fields = {
        "kind": "employment",
        "title": "县城物流园装卸岗位",
        "responsible_id": responsible.pk,
        "planned_start": START.date(),
    }
    fields.update(overrides)
    return MeasurePlan(**fields)


# The whole path ------------------------------------------------------------------------------


def test_a_household_walks_from_warning_to_risk_eliminated_through_the_api_only(
    confirmed_alert, clock, village_worker, township_cadre, county_officer, partner_org, partner
):
    # Each person signs in on the day they act: sessions end after half an hour idle.
    proposed = post(
        http(township_cadre),
        "/api/v1/cases/",
        {
            "household": confirmed_alert.household_id,
            "origin": "alert",
            "alert": confirmed_alert.pk,
            "category": "unstable",
            "risk_types": ["illness"],
            "situation": "户主患慢性病，收入低于监测线",
            "responsible": township_cadre.pk,
        },
    )
    assert proposed.status_code == 201, proposed.json()
    case = proposed.json()
    assert case["status"] == "identifying"
    assert case["alert"] == confirmed_alert.pk
    assert case["household"]["head_name"] == "张建国"
    assert case["household"]["village_name"] == "水源村"
    consent = case["next_step"]
    assert (consent["kind"], consent["due_on"]) == ("consent", (START.date() + 2 * DAY).isoformat())
    assert consent["person"]["name"] == "张建国" and consent["available"] is False  # his to sign
    url = case_url(case["id"])

    def act(user, action, **body):
        nonlocal case
        response = post(http(user), url + action + "/", {"version": case["version"], **body})
        assert response.status_code == 200, response.json()
        case = response.json()
        return case

    clock.advance(1)
    act(village_worker, "consent", decision="approved")
    clock.advance(1)
    act(township_cadre, "info-check", decision="approved", info_check_result="consistent")
    clock.advance(1)
    act(village_worker, "deliberation", decision="approved", comment="村民代表一致同意")
    starts = clock.advance(1)
    act(village_worker, "notice", starts_on=str(starts), ends_on=str(starts + 4 * DAY))
    clock.advance(5)
    act(village_worker, "notice-result", decision="approved", objections="")
    clock.advance(1)
    act(township_cadre, "township-review", decision="approved")
    clock.advance(1)
    enrolled = act(county_officer, "county-approval", decision="approved")
    assert enrolled["status"] == "enrolled"
    assert enrolled["enrolled_on"] == clock.today().isoformat()
    assert enrolled["next_step"] is None
    assert {s["kind"]: s["actor"] for s in enrolled["steps"]} == {
        "proposal": "township_cadre",
        "consent": "village_worker",
        "info_check": "township_cadre",
        "deliberation": "village_worker",
        "notice": "village_worker",
        "township_review": "township_cadre",
        "county_approval": "county_officer",
    }
    assert Household.objects.get(pk=confirmed_alert.household_id).is_monitored

    # A job placement planned by the township and delivered by the partner.
    planned = post(
        http(township_cadre),
        "/api/v1/measures/",
        {
            "case": case["id"],
            "kind": "employment",
            "title": "县城物流园装卸岗位",
            "responsible": township_cadre.pk,
            "planned_start": clock.today().isoformat(),
            "partner": partner_org.pk,
            "planned_amount": "3000.00",
        },
    )
    assert planned.status_code == 201, planned.json()
    measure = planned.json()
    delivered = post(
        http(partner),
        f"/api/v1/measures/{measure['id']}/delivery/",
        {
            "version": measure["version"],
            "status": "delivered",
            "actual_start": clock.today().isoformat(),
            "delivered_amount": "3000.00",
            "result": "已上岗，月工资3000元",
        },
    )
    assert delivered.status_code == 200, delivered.json()
    assert delivered.json()["status"] == "delivered"

    # Six months of monthly visits above the line.
    household = Household.objects.get(pk=confirmed_alert.household_id)
    for _month in range(6):
        today = clock.advance(31)
        recorded = post(http(village_worker), "/api/v1/visits/", visit_body(household, today, 9000))
        assert recorded.status_code == 201, recorded.json()
    worker = http(village_worker)
    judged = worker.get(url + "eligibility/").json()
    assert judged["eligible"], judged
    assert [item["code"] for item in judged["items"]] == [
        "enrolled_six_months",
        "measure_delivered",
        "income_above_line",
        "guarantees_met",
        "rigid_spending_resolved",
        "has_labour",
        "not_in_tekun",
    ]

    case = worker.get(url).json()
    eliminating = act(village_worker, "elimination", comment="收入稳定，务工有保障")
    assert eliminating["status"] == "eliminating"
    assert eliminating["next_step"]["kind"] == "home_verification"
    proposal = next(
        s for s in eliminating["steps"] if s["phase"] == "elimination" and s["kind"] == "proposal"
    )
    assert proposal["round"] == 1 and all(item["passed"] for item in proposal["eligibility"])
    clock.advance(1)
    act(village_worker, "home-verification", decision="approved")
    act(village_worker, "deliberation", decision="approved")
    starts = clock.today()
    act(village_worker, "notice", starts_on=str(starts), ends_on=str(starts + 4 * DAY))
    clock.advance(5)
    act(village_worker, "notice-result", decision="approved")
    act(township_cadre, "township-review", decision="approved")
    done = act(county_officer, "county-approval", decision="approved")
    assert done["status"] == "eliminated"
    assert done["eliminated_on"] == done["closed_on"] == clock.today().isoformat()
    approval = next(
        s for s in done["steps"] if s["phase"] == "elimination" and s["kind"] == "county_approval"
    )
    assert all(item["passed"] for item in approval["eligibility"])
    household.refresh_from_db()
    assert not household.is_monitored
    assert household.risk_eliminated_on == clock.today()


# Who takes which step ------------------------------------------------------------------------

OUTSIDE_VILLAGE = ["township_cadre", "county_officer", "partner", "auditor", "api_client_user"]
OUTSIDE_TOWNSHIP = ["village_worker", "county_officer", "partner", "auditor", "api_client_user"]
OUTSIDE_COUNTY = ["village_worker", "township_cadre", "partner", "auditor", "api_client_user"]

# (action, the step it records, body, roles refused); in the order the steps are taken. The
# notice is posted before its result is recorded: both belong to the NOTICE step.
IDENTIFICATION_ACTIONS = [
    ("consent", "consent", {"decision": "approved"}, OUTSIDE_VILLAGE),
    (
        "info-check",
        "info_check",
        {"decision": "approved", "info_check_result": "consistent"},
        OUTSIDE_TOWNSHIP,
    ),
    ("deliberation", "deliberation", {"decision": "approved"}, OUTSIDE_VILLAGE),
    ("notice", "notice", "notice-post", OUTSIDE_VILLAGE),
    ("notice-result", "notice", {"decision": "approved"}, OUTSIDE_VILLAGE),
    ("township-review", "township_review", {"decision": "approved"}, OUTSIDE_TOWNSHIP),
    ("county-approval", "county_approval", {"decision": "approved"}, OUTSIDE_COUNTY),
]
ELIMINATION_ACTIONS = [
    ("home-verification", "home_verification", {"decision": "approved"}, OUTSIDE_VILLAGE),
    ("deliberation", "deliberation", {"decision": "approved"}, OUTSIDE_VILLAGE),
    ("notice", "notice", "notice-post", OUTSIDE_VILLAGE),
    ("notice-result", "notice", {"decision": "approved"}, OUTSIDE_VILLAGE),
    ("township-review", "township_review", {"decision": "approved"}, OUTSIDE_TOWNSHIP),
    ("county-approval", "county_approval", {"decision": "approved"}, OUTSIDE_COUNTY),
]


def _bring_to(case, action, actions, clock, *, village_worker, township_cadre):
    """Take every step before `action` through the services, each by its own role."""
    takers = {"info-check": township_cadre, "township-review": township_cadre}
    for name, kind, body, _refused in actions:
        if name == action:
            return
        case.refresh_from_db()
        if body == "notice-post":
            case_services.case_notice_post(
                actor=village_worker,
                case=case,
                version=case.version,
                starts_on=clock.today(),
                ends_on=clock.today() + 4 * DAY,
            )
            clock.advance(5)
        else:
            extra = {k: v for k, v in body.items() if k != "decision"}
            step(takers.get(name, village_worker), case, kind, **extra)
    raise AssertionError(f"no action {action}")


def _body(body, clock) -> dict:
    if body == "notice-post":
        return {"starts_on": str(clock.today()), "ends_on": str(clock.today() + 4 * DAY)}
    return body


def _assert_refused(response, persona):
    assert response.status_code == 403, response.json()
    if persona != "partner":
        # The service's own answer, in the user's language; a partner is stopped at the door.
        assert response.json()["errors"][0]["detail"] == "Your role may not do this."


def _assert_untouched(case, phase, kind, version, body):
    waiting = CaseStep.objects.get(case=case, phase=phase, kind=kind, round=case.elimination_round)
    assert waiting.decision == "" and waiting.actor is None
    if body == "notice-post":
        assert waiting.notice_starts_on is None
    assert Case.objects.get(pk=case.pk).version == version


@pytest.mark.parametrize(
    ("action", "kind", "body", "persona"),
    [
        pytest.param(action, kind, body, persona, id=f"{action}-by-{persona}")
        for action, kind, body, refused in IDENTIFICATION_ACTIONS
        for persona in refused
    ],
)
def test_an_identification_step_is_refused_to_every_role_that_does_not_take_it(
    request, case, clock, village_worker, township_cadre, action, kind, body, persona
):
    _bring_to(
        case,
        action,
        IDENTIFICATION_ACTIONS,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
    )
    case.refresh_from_db()
    response = post(
        http(request.getfixturevalue(persona)),
        case_url(case.pk, action),
        {"version": case.version, **_body(body, clock)},
    )
    _assert_refused(response, persona)
    _assert_untouched(case, Phase.IDENTIFICATION, kind, case.version, body)


def _make_eligible(case, clock, *, village_worker, township_cadre, county_officer, partner):
    """Enrolled, a measure delivered, and six good months of visits since."""
    enrolled = walk_identification(
        case,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
        county_officer=county_officer,
    )
    measure = measure_create(
        actor=township_cadre,
        case=enrolled,
        plan=plan(enrolled, township_cadre, partner_id=partner.partner_id),
    )
    measure_record_delivery(
        actor=partner,
        measure=measure,
        version=measure.version,
        status="delivered",
        actual_start=clock.today(),
        result="已上岗",
    )
    for _month in range(6):
        clock.advance(31)
        visit(village_worker, enrolled.household, on=clock.today(), per_person=Decimal(9000))
    enrolled.refresh_from_db()
    return enrolled


@pytest.fixture
def eligible(case, clock, village_worker, township_cadre, county_officer, partner) -> Case:
    return _make_eligible(
        case,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
        county_officer=county_officer,
        partner=partner,
    )


@pytest.mark.parametrize("persona", ["county_officer", "partner", "auditor", "api_client_user"])
def test_risk_elimination_is_proposed_only_by_the_roles_that_propose(request, eligible, persona):
    response = post(
        http(request.getfixturevalue(persona)),
        case_url(eligible.pk, "elimination"),
        {"version": eligible.version},
    )
    _assert_refused(response, persona)
    eligible.refresh_from_db()
    assert eligible.status == CaseStatus.ENROLLED and eligible.elimination_round == 0
    assert not eligible.steps.filter(phase=Phase.ELIMINATION).exists()


@pytest.mark.parametrize(
    ("action", "kind", "body", "persona"),
    [
        pytest.param(action, kind, body, persona, id=f"{action}-by-{persona}")
        for action, kind, body, refused in ELIMINATION_ACTIONS
        for persona in refused
    ],
)
def test_an_elimination_step_is_refused_to_every_role_that_does_not_take_it(
    request, eligible, clock, village_worker, township_cadre, action, kind, body, persona
):
    case_services.case_elimination_propose(
        actor=village_worker, case=eligible, version=eligible.version
    )
    _bring_to(
        eligible,
        action,
        ELIMINATION_ACTIONS,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
    )
    eligible.refresh_from_db()
    response = post(
        http(request.getfixturevalue(persona)),
        case_url(eligible.pk, action),
        {"version": eligible.version, **_body(body, clock)},
    )
    _assert_refused(response, persona)
    _assert_untouched(eligible, Phase.ELIMINATION, kind, eligible.version, body)


# Region and partner scope --------------------------------------------------------------------

CASE_ACTIONS = [
    ("consent", {"decision": "approved"}),
    ("info-check", {"decision": "approved", "info_check_result": "consistent"}),
    ("deliberation", {"decision": "approved"}),
    ("home-verification", {"decision": "approved"}),
    ("notice", {"starts_on": "2026-03-02", "ends_on": "2026-03-06"}),
    ("notice-result", {"decision": "approved"}),
    ("township-review", {"decision": "approved"}),
    ("county-approval", {"decision": "approved"}),
    ("elimination", {}),
]


@pytest.mark.parametrize("persona", ["other_township_cadre", "other_county_officer"])
def test_outsiders_find_neither_the_case_nor_its_actions_nor_its_measures(
    request, case, township_cadre, partner_org, persona
):
    measure = measure_create(
        actor=township_cadre, case=case, plan=plan(case, township_cadre, partner_id=partner_org.pk)
    )
    outsider = http(request.getfixturevalue(persona))

    assert outsider.get(case_url(case.pk)).status_code == 404
    assert outsider.get("/api/v1/cases/").json()["results"] == []
    assert outsider.get(f"/api/v1/cases/?household={case.household_id}").json()["results"] == []
    for action, body in CASE_ACTIONS:
        response = post(outsider, case_url(case.pk, action), {"version": case.version, **body})
        assert response.status_code == 404, action
    for action in ("eligibility", "suggestions"):
        assert outsider.get(case_url(case.pk, action)).status_code == 404, action
    patched = outsider.patch(
        case_url(case.pk), {"version": case.version, "situation": "改写"}, content_type=JSON
    )
    assert patched.status_code == 404

    measure_url = f"/api/v1/measures/{measure.pk}/"
    assert outsider.get(measure_url).status_code == 404
    assert outsider.get(f"/api/v1/measures/?case={case.pk}").json()["results"] == []
    assert (
        outsider.patch(
            measure_url, {"version": measure.version, "title": "改写"}, content_type=JSON
        ).status_code
        == 404
    )
    delivery = post(
        outsider,
        measure_url + "delivery/",
        {"version": measure.version, "status": "stopped", "result": "不做了"},
    )
    assert delivery.status_code == 404
    planned = post(
        outsider,
        "/api/v1/measures/",
        {
            "case": case.pk,
            "kind": "health",
            "title": "家庭医生签约",
            "responsible": township_cadre.pk,
            "planned_start": "2026-03-02",
        },
    )
    assert planned.status_code == 400 and error_attrs(planned) == {"case"}

    case.refresh_from_db()
    assert case.version == 1 and case.situation == "户主患慢性病，收入低于监测线"
    assert not CaseStep.objects.filter(case=case, kind="consent").exclude(decision="").exists()
    assert Measure.objects.get().title == "县城物流园装卸岗位"
    assert Measure.objects.count() == 1


def test_a_partner_sees_exactly_the_measures_of_its_partner_and_nothing_personal(
    case, township_cadre, partner_org, other_partner, partner, household
):
    ours = [
        measure_create(
            actor=township_cadre,
            case=case,
            plan=plan(
                case,
                township_cadre,
                partner_id=partner_org.pk,
                title=title,
                member_ids=tuple(household.members.values_list("pk", flat=True)),
            ),
        ).pk
        for title in ("县城物流园装卸岗位", "种植技术培训")
    ]
    theirs = measure_create(
        actor=township_cadre,
        case=case,
        plan=plan(case, township_cadre, partner_id=other_partner.pk, kind="social_security"),
    )
    measure_create(actor=township_cadre, case=case, plan=plan(case, township_cadre, title="无主体"))
    firm = http(partner)

    assert firm.get("/api/v1/cases/").status_code == 403
    assert firm.get(case_url(case.pk)).status_code in (403, 404)
    listed = firm.get("/api/v1/measures/")
    assert listed.status_code == 200
    assert sorted(row["id"] for row in listed.json()["results"]) == sorted(ours)
    assert firm.get(f"/api/v1/measures/{theirs.pk}/").status_code == 404
    assert firm.get(f"/api/v1/measures/?partner={other_partner.pk}").json()["results"] == []

    shown = firm.get(f"/api/v1/measures/{ours[0]}/").json()
    assert shown["household"] == {
        "head_name": "张建国",
        "village_name": "水源村",
    }
    assert sorted(member["name"] for member in shown["members"]) == ["张建国", "李秀英"]
    assert {"id", "name"} == set(shown["members"][0])
    for payload in (listed.json(), shown):
        assert not all_keys(payload) & PRIVATE_KEYS
    body = listed.content.decode()
    for secret in ("13893001234", "13893005678", "6228480402564890018", "高血压", "chronic"):
        assert secret not in body
    for member in household.members.all():
        assert member.id_number_masked not in body


def test_a_cadre_sees_no_personal_details_in_a_measure_either(case, township_cadre, household):
    measure = measure_create(
        actor=township_cadre,
        case=case,
        plan=plan(
            case, township_cadre, member_ids=tuple(household.members.values_list("pk", flat=True))
        ),
    )
    shown = http(township_cadre).get(f"/api/v1/measures/{measure.pk}/")
    assert shown.status_code == 200
    assert not all_keys(shown.json()) & PRIVATE_KEYS
    assert "13893005678" not in shown.content.decode()


def test_a_partner_records_delivery_of_its_own_measures_only(
    case, township_cadre, partner_org, other_partner, partner
):
    ours = measure_create(
        actor=township_cadre, case=case, plan=plan(case, township_cadre, partner_id=partner_org.pk)
    )
    theirs = measure_create(
        actor=township_cadre,
        case=case,
        plan=plan(case, township_cadre, partner_id=other_partner.pk),
    )
    firm = http(partner)
    body = {"status": "in_progress", "actual_start": "2026-03-02"}
    started = post(firm, f"/api/v1/measures/{ours.pk}/delivery/", {"version": 1, **body})
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    refused = post(firm, f"/api/v1/measures/{theirs.pk}/delivery/", {"version": 1, **body})
    assert refused.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "planned" and theirs.actual_start is None
    # Planning is the cadres' work.
    assert (
        firm.patch(
            f"/api/v1/measures/{ours.pk}/", {"version": 2, "title": "改写"}, content_type=JSON
        ).status_code
        == 403
    )


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "attr"),
    [
        ({"planned_start": "2026-03-10", "planned_end": "2026-03-01"}, "planned_end"),
        ({"planned_amount": "-1.00"}, "planned_amount"),
        ({"kind": "magic"}, "kind"),
        ({"responsible": 99999999}, "responsible"),
        ({"partner": 99999999}, "partner"),
        ({"members": [99999999]}, "members"),
        ({"case": None}, "case"),
    ],
)
def test_a_bad_measure_is_refused_on_its_field_and_nothing_is_created(
    case, township_cadre, overrides, attr
):
    body = {
        "case": case.pk,
        "kind": "employment",
        "title": "县城物流园装卸岗位",
        "responsible": township_cadre.pk,
        "planned_start": "2026-03-02",
    }
    body.update(overrides)
    body = {key: value for key, value in body.items() if value is not None}
    response = post(http(township_cadre), "/api/v1/measures/", body)
    assert response.status_code == 400, response.json()
    assert attr in error_attrs(response)
    assert not Measure.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "attr"),
    [
        ({"actual_end": "2026-03-01"}, "actual_end"),
        ({"delivered_amount": "-5"}, "delivered_amount"),
        ({"actual_start": "2026-03-03"}, "actual_start"),  # tomorrow
        ({"result": ""}, "result"),
    ],
)
def test_a_bad_delivery_is_refused_on_its_field_and_nothing_is_written(
    case, township_cadre, partner, overrides, attr
):
    measure = measure_create(
        actor=township_cadre,
        case=case,
        plan=plan(case, township_cadre, partner_id=partner.partner_id),
    )
    body = {
        "version": measure.version,
        "status": "delivered",
        "actual_start": "2026-03-02",
        "result": "已完成",
        **overrides,
    }
    response = post(http(partner), f"/api/v1/measures/{measure.pk}/delivery/", body)
    assert response.status_code == 400
    assert error_attrs(response) == {attr}
    measure.refresh_from_db()
    assert measure.status == "planned" and measure.version == 1 and measure.actual_start is None


def test_a_notice_shorter_than_five_days_is_refused(case, clock, village_worker, township_cadre):
    _bring_to(
        case,
        "notice",
        IDENTIFICATION_ACTIONS,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
    )
    case.refresh_from_db()
    today = clock.today()
    response = post(
        http(village_worker),
        case_url(case.pk, "notice"),
        {"version": case.version, "starts_on": str(today), "ends_on": str(today + 3 * DAY)},
    )
    assert response.status_code == 400
    assert error_attrs(response) == {"ends_on"}
    assert "at least 5 days" in response.json()["errors"][0]["detail"]
    assert CaseStep.objects.get(case=case, kind="notice").notice_starts_on is None


def test_the_notice_result_is_refused_while_objections_are_still_taken(
    case, clock, village_worker, township_cadre
):
    _bring_to(
        case,
        "notice",
        IDENTIFICATION_ACTIONS,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
    )
    case.refresh_from_db()
    today = clock.today()
    case = case_services.case_notice_post(
        actor=village_worker,
        case=case,
        version=case.version,
        starts_on=today,
        ends_on=today + 4 * DAY,
    )
    clock.advance(4)
    response = post(
        http(village_worker),
        case_url(case.pk, "notice-result"),
        {"version": case.version, "decision": "approved"},
    )
    assert response.status_code == 400 and error_codes(response) == {"notice_running"}
    assert CaseStep.objects.get(case=case, kind="notice").decision == ""


def test_elimination_of_an_ineligible_case_is_refused_with_every_failing_item(
    case, clock, village_worker, township_cadre, county_officer
):
    enrolled = walk_identification(
        case,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
        county_officer=county_officer,
    )
    worker = http(village_worker)
    judged = worker.get(case_url(case.pk, "eligibility")).json()
    failing = {item["code"] for item in judged["items"] if not item["passed"]}
    assert not judged["eligible"]
    assert failing == {"enrolled_six_months", "measure_delivered", "income_above_line"}

    response = post(worker, case_url(case.pk, "elimination"), {"version": enrolled.version})
    assert response.status_code == 400
    assert error_codes(response) == failing
    enrolled.refresh_from_db()
    assert enrolled.status == CaseStatus.ENROLLED
    assert not enrolled.steps.filter(phase=Phase.ELIMINATION).exists()


def test_a_step_taken_out_of_order_is_refused(case, township_cadre):
    response = post(
        http(township_cadre),
        case_url(case.pk, "township-review"),
        {"version": case.version, "decision": "approved"},
    )
    assert response.status_code == 400
    assert error_codes(response) == {"out_of_order"}
    assert "Steps are taken in order" in response.json()["errors"][0]["detail"]
    assert CaseStep.objects.get(case=case, kind="township_review").decision == ""


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "rejected"}, "comment"),
        ({}, "decision"),
    ],
)
def test_a_bad_decision_is_refused_on_its_field(case, village_worker, body, attr):
    response = post(
        http(village_worker), case_url(case.pk, "consent"), {"version": case.version, **body}
    )
    assert response.status_code == 400 and attr in error_attrs(response)
    assert CaseStep.objects.get(case=case, kind="consent").decision == ""


def test_an_action_without_a_version_is_refused(case, village_worker):
    response = post(http(village_worker), case_url(case.pk, "consent"), {"decision": "approved"})
    assert response.status_code == 400 and error_attrs(response) == {"version"}


def test_a_proposal_with_a_bad_description_is_refused_and_nothing_is_written(
    household, village_worker
):
    response = post(
        http(village_worker),
        "/api/v1/cases/",
        {
            "household": household.pk,
            "origin": "cadre",
            "category": "rich",
            "risk_types": ["boredom"],
            "situation": "",
        },
    )
    assert response.status_code == 400
    assert {"category", "risk_types.0", "situation"} <= error_attrs(response)
    assert not Case.objects.exists()


def test_a_second_open_case_for_a_household_is_refused(case, township_cadre):
    response = post(
        http(township_cadre),
        "/api/v1/cases/",
        {
            "household": case.household_id,
            "origin": "cadre",
            "category": "sudden_hardship",
            "risk_types": ["other"],
            "situation": "再次提议",
        },
    )
    assert response.status_code == 400 and error_codes(response) == {"case_exists"}
    assert Case.objects.count() == 1


def test_only_those_who_propose_may_open_a_case(household, auditor, partner):
    body = {
        "household": household.pk,
        "origin": "self_report",
        "category": "sudden_hardship",
        "risk_types": ["illness"],
        "situation": "农户申报：医疗支出大",
    }
    assert post(http(auditor), "/api/v1/cases/", body).status_code == 403
    assert post(http(partner), "/api/v1/cases/", body).status_code == 403
    assert not Case.objects.exists()


def test_a_household_outside_the_region_cannot_be_proposed(
    other_township_household, township_cadre
):
    response = post(
        http(township_cadre),
        "/api/v1/cases/",
        {
            "household": other_township_household.pk,
            "origin": "cadre",
            "category": "marginal",
            "risk_types": ["illness"],
            "situation": "外乡镇农户",
        },
    )
    assert response.status_code == 400 and error_attrs(response) == {"household"}
    assert not Case.objects.exists()


# Two people at once --------------------------------------------------------------------------


@pytest.fixture
def second_village_worker(db) -> User:
    return User.objects.create_user(
        username="second_village_worker",
        password="test-password-123",
        role=Role.VILLAGE_WORKER,
        region_id=HOME_VILLAGE,
    )


def test_two_clients_acting_on_the_same_step_with_the_same_version_one_wins(
    case, village_worker, second_village_worker
):
    body = {"version": case.version, "decision": "approved"}
    first = post(http(village_worker), case_url(case.pk, "consent"), body)
    second = post(http(second_village_worker), case_url(case.pk, "consent"), body)
    assert (first.status_code, second.status_code) == (200, 409)
    assert error_codes(second) == {"conflict"}
    consent = CaseStep.objects.get(case=case, kind="consent")
    assert consent.actor == village_worker
    assert Case.objects.get(pk=case.pk).version == case.version + 1


@committed_db
def test_two_clients_posting_the_same_step_at_the_same_moment_one_wins(
    case, village_worker, second_village_worker
):
    body = {"version": case.version, "decision": "approved"}
    statuses = []

    def act(user):
        try:
            statuses.append(post(http(user), case_url(case.pk, "consent"), body).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(u,)) for u in (village_worker, second_village_worker)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    assert CaseStep.objects.get(case=case, kind="consent").actor_id in {
        village_worker.pk,
        second_village_worker.pk,
    }
    assert Case.objects.get(pk=case.pk).version == case.version + 1


def test_a_stale_version_of_a_measure_is_refused(case, township_cadre):
    measure = measure_create(actor=township_cadre, case=case, plan=plan(case, township_cadre))
    cadre = http(township_cadre)
    url = f"/api/v1/measures/{measure.pk}/"
    changed = cadre.patch(url, {"version": 1, "title": "县城物流园叉车岗位"}, content_type=JSON)
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = cadre.patch(url, {"version": 1, "title": "别的岗位"}, content_type=JSON)
    assert stale.status_code == 409
    measure.refresh_from_db()
    assert measure.title == "县城物流园叉车岗位"
    # A partial change keeps what it does not name.
    assert measure.kind == "employment" and measure.planned_start == START.date()


# Lists, filters and what they cost -----------------------------------------------------------


def _households(actor, count: int) -> list[Household]:
    made = []
    for n in range(count):
        household = household_services.household_create(
            actor=actor, village_code=HOME_VILLAGE, poverty_status="ordinary"
        )
        household_services.member_create(
            actor=actor,
            household_id=household.pk,
            name=f"户主{n}",
            id_number=make_id_number("620423", "19800101", 100 + n),
            relation="head",
            labour="ordinary",
            education="junior",
        )
        made.append(household)
    return made


def _cases(actor, count: int) -> list[Case]:
    return [
        case_services.case_propose(
            actor=actor,
            household_id=household.pk,
            origin="cadre",
            category="marginal",
            risk_types=["illness", "unstable_work"],
            situation="收入不稳定，需要帮扶",
            responsible_id=actor.pk,
        )
        for household in _households(actor, count)
    ]


def test_the_case_list_costs_a_few_queries_however_many_cases(
    township_cadre, village_worker, clock, django_assert_max_num_queries
):
    cases = _cases(township_cadre, 6)
    for case in cases[:3]:
        step(village_worker, case, "consent")
    cadre = http(township_cadre)
    # Session, user, two permission reads, the cases, their steps; who acts next (delegations
    # and pairings of the page's cases); three to save the session.
    with django_assert_max_num_queries(11):
        response = cadre.get("/api/v1/cases/")
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == sorted((c.pk for c in cases), reverse=True)
    assert all(len(row["steps"]) == 7 for row in rows)


def test_the_measure_list_costs_a_few_queries_however_many_measures(
    case, township_cadre, partner_org, other_partner, household, django_assert_max_num_queries
):
    members = tuple(household.members.values_list("pk", flat=True))
    for n in range(6):
        measure_create(
            actor=township_cadre,
            case=case,
            plan=plan(
                case,
                township_cadre,
                title=f"措施{n}",
                partner_id=(partner_org, other_partner)[n % 2].pk,
                member_ids=members,
            ),
        )
    cadre = http(township_cadre)
    # Session, user, two permission reads, the measures, their members; three for the session.
    with django_assert_max_num_queries(9):
        response = cadre.get("/api/v1/measures/")
    rows = response.json()["results"]
    assert len(rows) == 6
    assert all(len(row["members"]) == 2 for row in rows)


def test_cases_awaiting_my_role_and_overdue_cases_are_filtered(
    township_cadre, village_worker, clock
):
    waiting_consent, waiting_check = _cases(township_cadre, 2)
    step(village_worker, waiting_check, "consent")

    def ids(user, query):
        response = http(user).get("/api/v1/cases/?" + query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(village_worker, "awaiting=1") == {waiting_consent.pk}
    assert ids(township_cadre, "awaiting=1") == {waiting_check.pk}
    assert ids(township_cadre, "awaiting=0") == {waiting_consent.pk}
    assert ids(township_cadre, "overdue=1") == set()
    # Consent is due two days after the proposal, the information check five.
    clock.advance(3)
    assert ids(township_cadre, "overdue=1") == {waiting_consent.pk}
    shown = http(township_cadre).get(case_url(waiting_consent.pk)).json()
    assert [s["kind"] for s in shown["steps"] if s["overdue"]] == ["consent"]
    # Day 5 is Saturday 7 March: a limit ending on a day off ends on the next working day, 9 March.
    clock.advance(5)
    assert ids(township_cadre, "overdue=1") == {waiting_consent.pk, waiting_check.pk}
    assert ids(township_cadre, f"overdue=1&household={waiting_check.household_id}") == {
        waiting_check.pk
    }
    assert ids(township_cadre, "status=enrolled") == set()
    assert ids(township_cadre, "status=identifying&category=marginal&origin=cadre") == {
        waiting_consent.pk,
        waiting_check.pk,
    }


def test_a_rejected_case_shows_no_step_overdue(case, clock, village_worker, township_cadre):
    step(village_worker, case, "consent", decision="rejected", comment="农户不同意授权")
    clock.advance(30)
    shown = http(township_cadre).get(case_url(case.pk)).json()
    assert shown["status"] == "rejected" and shown["close_reason"] == "农户不同意授权"
    assert shown["next_step"] is None
    assert not any(s["overdue"] for s in shown["steps"])


def test_a_cadre_corrects_an_open_case_and_a_stale_version_is_refused(
    case, township_cadre, village_worker
):
    cadre = http(township_cadre)
    changed = cadre.patch(
        case_url(case.pk),
        {"version": case.version, "risk_types": ["illness", "disability"]},
        content_type=JSON,
    )
    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert body["risk_types"] == ["illness", "disability"]
    assert body["situation"] == "户主患慢性病，收入低于监测线"
    assert body["responsible"]["id"] == township_cadre.pk
    stale = cadre.patch(
        case_url(case.pk),
        {"version": case.version, "situation": "按旧版本改写的情况"},
        content_type=JSON,
    )
    assert stale.status_code == 409
    refused = http(village_worker).patch(
        case_url(case.pk),
        {"version": body["version"], "situation": "村干部改写"},
        content_type=JSON,
    )
    assert refused.status_code == 403
    case.refresh_from_db()
    assert case.situation == "户主患慢性病，收入低于监测线" and case.version == body["version"]


# Suggestions --------------------------------------------------------------------------------


@pytest.fixture
def offers(partner_org, other_partner) -> dict[str, PartnerOffer]:
    def offer(partner, kind, measure_kind, title, **extra):
        return PartnerOffer.objects.create(
            partner=partner,
            kind=kind,
            measure_kind=measure_kind,
            title=title,
            area_id=extra.pop("area_id", HOME_COUNTY),
            available_from=START.date() - 30 * DAY,
            **extra,
        )

    return {
        "doctor": offer(other_partner, "services", "health", "家庭医生上门服务"),
        "jobs": offer(partner_org, "jobs", "employment", "枸杞采摘季节工", quantity=20),
        "goods": offer(other_partner, "goods", "social_help", "冬季棉被"),
        "ended": offer(
            partner_org,
            "services",
            "health",
            "已结束的义诊",
            available_until=START.date() - DAY,
        ),
        "elsewhere": offer(partner_org, "jobs", "employment", "外乡镇岗位", area_id="620423101000"),
    }


def test_suggestions_fit_the_risks_and_offer_jobs_to_a_household_with_someone_free_to_work(
    case, offers, township_cadre
):
    response = http(township_cadre).get(case_url(case.pk, "suggestions"))
    assert response.status_code == 200
    body = response.json()
    assert {s["measure_kind"] for s in body["suggestions"]} == {"health"}
    assert ["services"] in [s["offer_kinds"] for s in body["suggestions"]]
    assert {o["id"] for o in body["offers"]} == {offers["doctor"].pk, offers["jobs"].pk}
    assert body["offers"][0]["partner"]["name"]


def test_suggestions_offer_no_jobs_when_everyone_able_is_already_working(
    case, offers, township_cadre
):
    Member.objects.filter(household_id=case.household_id).update(work="local")
    body = http(township_cadre).get(case_url(case.pk, "suggestions")).json()
    assert {o["id"] for o in body["offers"]} == {offers["doctor"].pk}


# Partners and offers -------------------------------------------------------------------------


def test_a_township_cadre_registers_and_corrects_a_partner(township_cadre):
    cadre = http(township_cadre)
    created = post(
        cadre,
        "/api/v1/partners/",
        {
            "name": "一条山镇枸杞合作社",
            "kind": "cooperative",
            "area": HOME_TOWNSHIP,
            "contact_name": "陈社长",
            "contact_phone": "13909430000",
        },
    )
    assert created.status_code == 201, created.json()
    partner = created.json()
    assert partner["area_name"] and partner["version"] == 1
    url = f"/api/v1/partners/{partner['id']}/"
    changed = cadre.patch(url, {"version": 1, "address": "一条山镇东街5号"}, content_type=JSON)
    assert changed.status_code == 200, changed.json()
    assert changed.json()["address"] == "一条山镇东街5号"
    assert changed.json()["name"] == "一条山镇枸杞合作社"
    assert cadre.patch(url, {"version": 1, "address": "旧"}, content_type=JSON).status_code == 409
    assert (
        cadre.get("/api/v1/partners/?kind=cooperative").json()["results"][0]["id"] == partner["id"]
    )


def test_a_partner_outside_the_region_or_badly_described_is_refused(township_cadre):
    response = post(
        http(township_cadre),
        "/api/v1/partners/",
        {
            "name": "芦阳镇合作社",
            "kind": "department",
            "area": "620423101000",
            "contact_name": "李",
            "contact_phone": "abc",
        },
    )
    assert response.status_code == 400
    assert {"department", "area", "contact_name", "contact_phone"} <= error_attrs(response)
    assert not Partner.objects.filter(name="芦阳镇合作社").exists()


def test_a_partner_user_sees_only_its_partner_and_posts_offers_for_it_alone(
    partner, partner_org, other_partner
):
    firm = http(partner)
    listed = firm.get("/api/v1/partners/").json()["results"]
    assert [row["id"] for row in listed] == [partner_org.pk]
    assert firm.get(f"/api/v1/partners/{other_partner.pk}/").status_code == 404
    body = {
        "kind": "jobs",
        "measure_kind": "employment",
        "title": "枸杞采摘季节工",
        "available_from": "2026-03-01",
        "available_until": "2026-10-31",
        "quantity": 20,
        "unit": "人",
    }
    created = post(firm, "/api/v1/partner-offers/", {"partner": partner_org.pk, **body})
    assert created.status_code == 201, created.json()
    assert created.json()["area"] == partner_org.area_id
    refused = post(firm, "/api/v1/partner-offers/", {"partner": other_partner.pk, **body})
    assert refused.status_code == 403
    assert PartnerOffer.objects.filter(partner=other_partner).count() == 0

    url = f"/api/v1/partner-offers/{created.json()['id']}/"
    closed = firm.patch(url, {"version": 1, "is_active": False}, content_type=JSON)
    assert closed.status_code == 200 and closed.json()["is_active"] is False
    assert closed.json()["title"] == "枸杞采摘季节工" and closed.json()["quantity"] == 20
    assert [row["id"] for row in firm.get("/api/v1/partner-offers/").json()["results"]] == [
        created.json()["id"]
    ]


def test_an_offer_that_ends_before_it_starts_is_refused(partner, partner_org):
    response = post(
        http(partner),
        "/api/v1/partner-offers/",
        {
            "partner": partner_org.pk,
            "kind": "funds",
            "measure_kind": "education",
            "title": "助学金",
            "available_from": "2026-09-01",
            "available_until": "2026-08-01",
            "amount": "2000",
        },
    )
    assert response.status_code == 400 and error_attrs(response) == {"available_until"}
    assert not PartnerOffer.objects.exists()


def test_a_village_worker_may_read_partners_but_not_register_them(village_worker, partner_org):
    worker = http(village_worker)
    assert worker.get("/api/v1/partners/").status_code == 200
    response = post(
        worker,
        "/api/v1/partners/",
        {
            "name": "水源村互助组",
            "kind": "volunteer_group",
            "area": HOME_VILLAGE,
            "contact_name": "张组长",
            "contact_phone": "13800002222",
        },
    )
    assert response.status_code == 403
    assert not Partner.objects.filter(name="水源村互助组").exists()
