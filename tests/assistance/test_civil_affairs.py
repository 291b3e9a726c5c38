"""A case referred to civil affairs (民政) and its decision recorded: from the proposal, through the
API and the case page, with the decision's date and amount checked, the case list filtered by it,
and a household in tekun support kept out of risk elimination."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

from assistance.eligibility import case_eligibility
from assistance.models import Case, CaseOrigin, CivilAffairsReferral
from assistance.services import cases as case_services
from assistance.services import civil_affairs
from households import services as household_services
from tests.assistance.conftest import walk_identification
from tests.conftest import HOME_VILLAGE, client_for
from tests.idgen import make_id_number

JSON = "application/json"


def api_post(user, url: str, body: dict):
    return client_for(user).post(url, body, content_type=JSON)


def decide(user, case, **changes):
    referral = CivilAffairsReferral.objects.get(case=case)
    body = {
        "version": referral.version,
        "decision": "approved",
        "decided_on": referral.referred_on.isoformat(),
        "amount": "450.00",
        **changes,
    }
    return api_post(user, f"/api/v1/cases/{case.pk}/civil-affairs-decision/", body)


@pytest.fixture
def referred(confirmed_alert, township_cadre) -> Case:
    """The case proposed with a referral for dibao."""
    return case_services.case_propose(
        actor=township_cadre,
        household_id=confirmed_alert.household_id,
        origin=CaseOrigin.ALERT,
        alert_id=confirmed_alert.pk,
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病，收入低于监测线",
        civil_affairs="dibao",
    )


def test_a_case_proposed_with_a_referral_waits_for_civil_affairs(referred, township_cadre, clock):
    shown = client_for(township_cadre).get(f"/api/v1/cases/{referred.pk}/").json()
    assert shown["civil_affairs"]["kind"] == "dibao"
    assert shown["civil_affairs"]["decision"] == "pending"
    assert shown["civil_affairs"]["referred_on"] == clock.today().isoformat()
    assert shown["social_assistance"] == "none"

    clock.advance(3)
    approved = decide(township_cadre, referred, decided_on=clock.today().isoformat())
    assert approved.status_code == 200, approved.json()
    assert approved.json()["civil_affairs"]["decision"] == "approved"
    assert approved.json()["civil_affairs"]["amount"] == "450.00"
    assert approved.json()["social_assistance"] == "dibao"  # the label follows the decision
    assert CivilAffairsReferral.objects.get(case=referred).events.count() == 2  # its history


def test_the_case_list_filters_by_the_referral(referred, case_of_another_household, township_cadre):
    def listed(**params) -> list[int]:
        found = client_for(township_cadre).get("/api/v1/cases/", params).json()["results"]
        return [row["id"] for row in found]

    assert listed(civil_affairs="pending") == [referred.pk]
    assert listed(civil_affairs="none") == [case_of_another_household.pk]
    assert listed(civil_affairs_kind="dibao") == [referred.pk]
    assert listed(civil_affairs_kind="tekun") == []
    decide(township_cadre, referred)
    assert listed(civil_affairs="approved") == [referred.pk]
    assert (
        client_for(township_cadre).get("/api/v1/cases/", {"civil_affairs": "x"}).status_code == 400
    )


@pytest.mark.parametrize(
    ("changes", "attr"),
    [
        ({"decided_on": "2099-01-01"}, "decided_on"),  # in the future
        ({"decided_on": "2026-03-01"}, "decided_on"),  # before the referral
        ({"amount": None}, "amount"),  # an approval without its amount
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"decision": "rejected", "amount": "100"}, "amount"),  # a refusal with one
        ({"decision": "pending"}, "decision"),
        ({"note": "文" * 201}, "note"),
        ({"version": 7}, None),  # stale
    ],
)
def test_a_bad_decision_is_refused_with_its_field_and_nothing_changes(
    referred, township_cadre, changes, attr
):
    response = decide(township_cadre, referred, **changes)
    assert response.status_code in (400, 409)
    if attr:
        assert response.json()["errors"][0]["attr"] == attr
    referral = CivilAffairsReferral.objects.get(case=referred)
    assert (referral.decision, referral.version) == ("pending", 1)


def test_who_may_refer_and_decide(
    case, township_cadre, village_worker, other_township_cadre, auditor
):
    url = f"/api/v1/cases/{case.pk}/civil-affairs/"
    assert api_post(village_worker, url, {"kind": "tekun"}).status_code == 403
    assert api_post(auditor, url, {"kind": "tekun"}).status_code == 403
    assert api_post(other_township_cadre, url, {"kind": "tekun"}).status_code == 404
    assert not CivilAffairsReferral.objects.filter(case=case).exists()
    civil_affairs.civil_affairs_refer(actor=township_cadre, case=case, kind="tekun")
    assert decide(other_township_cadre, case).status_code == 404
    assert decide(village_worker, case).status_code == 403
    assert CivilAffairsReferral.objects.get(case=case).decision == "pending"


@pytest.fixture
def case_of_another_household(township_cadre) -> Case:
    other = household_services.household_create(
        actor=township_cadre,
        village_code=HOME_VILLAGE,
        poverty_status="lifted_out",
        poverty_exit_year=2019,
    )
    household_services.member_create(
        actor=township_cadre,
        household_id=other.pk,
        name="赵长生",
        id_number=make_id_number("620423", "19720505", 5),
        relation="head",
        labour="ordinary",
        education="primary",
    )
    return case_services.case_propose(
        actor=township_cadre,
        household_id=other.pk,
        origin=CaseOrigin.CADRE,
        category="unstable",
        risk_types=["illness"],
        situation="因病致贫风险",
    )


def test_a_case_is_referred_once_and_again_after_a_refusal(case, township_cadre, clock):
    url = f"/api/v1/cases/{case.pk}/civil-affairs/"
    assert api_post(township_cadre, url, {"kind": "temporary_relief"}).status_code == 200
    again = api_post(township_cadre, url, {"kind": "dibao"})
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "already_referred"
    assert decide(township_cadre, case, decision="rejected", amount=None).status_code == 200
    renewed = api_post(township_cadre, url, {"kind": "dibao"})
    assert renewed.status_code == 200
    assert renewed.json()["civil_affairs"]["decision"] == "pending"
    assert renewed.json()["civil_affairs"]["kind"] == "dibao"
    bad = api_post(township_cadre, url, {"kind": "pension"})
    assert bad.status_code == 400


def test_a_household_in_tekun_support_is_not_eliminated(
    case, clock, village_worker, township_cadre, county_officer
):
    enrolled = walk_identification(
        case,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
        county_officer=county_officer,
    )
    civil_affairs.civil_affairs_refer(actor=township_cadre, case=enrolled, kind="tekun")
    before = {item.code: item.passed for item in case_eligibility(enrolled, clock.today())}
    assert before["not_in_tekun"] is True
    referral = CivilAffairsReferral.objects.get(case=enrolled)
    civil_affairs.civil_affairs_decide(
        actor=township_cadre,
        case=enrolled,
        version=referral.version,
        decision="approved",
        decided_on=clock.today(),
        amount=Decimal("620"),
    )
    items = {item.code: item for item in case_eligibility(enrolled, clock.today())}
    assert items["not_in_tekun"].passed is False
    assert (
        "措施继续" in items["not_in_tekun"].detail
        or "measures continue" in items["not_in_tekun"].detail
    )


def test_the_case_page_refers_and_records_the_decision(case, township_cadre, clock):
    client = client_for(township_cadre)
    page = strip_tags(client.get(f"/cases/{case.pk}/").content.decode())
    assert "民政" in page and "转介民政" in page
    referred = client.post(f"/cases/{case.pk}/civil-affairs/", {"kind": "dibao"})
    assert referred.status_code == 302
    bad = client.post(
        f"/cases/{case.pk}/civil-affairs/decision/",
        {"decision": "approved", "decided_on": "2099-01-01", "amount": "450", "version": 1},
    )
    assert bad.status_code == 400 and "不能晚于今天" in bad.content.decode()
    day = (clock.today() + datetime.timedelta(days=0)).isoformat()
    done = client.post(
        f"/cases/{case.pk}/civil-affairs/decision/",
        {"decision": "approved", "decided_on": day, "amount": "450", "version": 1},
    )
    assert done.status_code == 302
    shown = strip_tags(client.get(f"/cases/{case.pk}/").content.decode())
    assert "民政已批准" in shown and "450.00 元" in shown


def test_a_correction_away_from_an_approval_takes_back_the_cases_label(referred, township_cadre):
    decide(township_cadre, referred)
    referred.refresh_from_db()
    assert referred.social_assistance == "dibao"
    corrected = decide(township_cadre, referred, decision="rejected", amount=None)
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["social_assistance"] == "none"


def test_a_village_worker_proposes_without_a_referral_and_notes_hold_no_numbers(
    confirmed_alert, village_worker, township_cadre, referred
):
    with pytest.raises(ValidationError) as refused:
        case_services.case_propose(
            actor=village_worker,
            household_id=confirmed_alert.household_id,
            origin=CaseOrigin.CADRE,
            category="unstable",
            risk_types=["illness"],
            situation="户主患慢性病",
            civil_affairs="dibao",
        )
    assert "civil_affairs" in refused.value.message_dict
    for note in ("户主身份证620423196803151234", "电话 138-0013-8000"):
        response = decide(township_cadre, referred, note=note)
        assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "note"
