"""Case steps that explain themselves: who acts next, why a step is disabled, each step's own
words, and the public notice of one deliberation meeting (issue 18).

The clock starts on Monday 2 March 2026 (tests/assistance/conftest.py)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from assistance import notices
from assistance.forms import StepForm
from assistance.models import CaseOrigin
from assistance.next_steps import next_action
from assistance.selectors import case_next_step
from assistance.services import cases as case_services
from audit.models import ExportEvent
from households import services as household_services
from tests.assistance.conftest import step
from tests.conftest import HOME_VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP, _user, client_for
from tests.idgen import make_id_number


def _action(case, user, clock):
    case.refresh_from_db()
    return next_action(case, case_next_step(case), user=user, as_of=clock.today())


def _to_notice(case, village_worker, township_cadre):
    step(village_worker, case, "consent")
    step(township_cadre, case, "info_check", info_check_result="consistent")
    step(village_worker, case, "deliberation")
    case.refresh_from_db()


def _post(case, actor, starts_on, ends_on):
    case.refresh_from_db()
    return case_services.case_notice_post(
        actor=actor, case=case, version=case.version, starts_on=starts_on, ends_on=ends_on
    )


# --- who acts next ------------------------------------------------------------------------------


def test_each_step_names_who_acts_next(case, clock, village_worker, township_cadre, county_officer):
    consent = _action(case, county_officer, clock)
    assert (consent.level, consent.person, consent.relation) == ("household", "张建国", "户主")
    assert consent.level_label == "农户"
    step(village_worker, case, "consent")
    info_check = _action(case, county_officer, clock)
    # The case's responsible cadre is a township cadre: the township's step is theirs.
    assert (info_check.level, info_check.person_id) == ("township", township_cadre.pk)
    assert info_check.relation == "帮扶责任人"
    step(township_cadre, case, "info_check", info_check_result="consistent")
    deliberation = _action(case, county_officer, clock)
    assert (deliberation.level, deliberation.level_label) == ("village", "村委会")
    assert deliberation.person == ""  # no village worker is named on the case
    step(village_worker, case, "deliberation")
    _post(case, village_worker, clock.today(), clock.today() + datetime.timedelta(days=4))
    clock.advance(5)
    step(village_worker, case, "notice")
    assert _action(case, county_officer, clock).person_id == township_cadre.pk
    step(township_cadre, case, "township_review")
    approval = _action(case, county_officer, clock)
    assert (approval.level, approval.level_label, approval.available) == ("county", "县级", True)


def test_a_step_of_another_role_is_disabled_with_who_it_waits_for(
    case, clock, village_worker, township_cadre, auditor
):
    assert _action(case, village_worker, clock).available is True
    for viewer in (township_cadre, auditor):
        action = _action(case, viewer, clock)
        assert action.available is False
        assert action.reason == "等待农户签署承诺授权书"
    step(village_worker, case, "consent")
    action = _action(case, village_worker, clock)
    assert (action.available, action.reason) == (False, "等待乡镇办理")


def test_the_notice_result_is_disabled_until_posted_and_through_the_objection_period(
    case, clock, village_worker, township_cadre
):
    _to_notice(case, village_worker, township_cadre)
    action = _action(case, village_worker, clock)
    assert (action.available, action.hold) == (False, "not_posted")
    assert action.reason == "需先张贴公示，公示期满后再登记结果"
    # Posted Monday 2 March until Sunday 8 March: five working days, the weekend not counted.
    _post(case, village_worker, clock.today(), datetime.date(2026, 3, 8))
    action = _action(case, village_worker, clock)
    assert (action.available, action.hold) == (False, "notice_running")
    assert action.reason == "异议期至 3月8日（还有 5 个工作日）"
    with translation.override("en"):
        assert _action(case, village_worker, clock).reason == (
            "Objection period until March 8 (5 working days left)"
        )
    clock.advance(4)  # Friday
    assert _action(case, village_worker, clock).reason == "异议期至 3月8日（还有 1 个工作日）"
    clock.advance(2)  # Sunday, the last day: no working day left, objections still taken
    action = _action(case, township_cadre, clock)
    assert action.reason == "异议期至 3月8日（还有 0 个工作日）"
    # The service refuses on the same rule, in the same words.
    with pytest.raises(Exception) as refused:
        step(village_worker, case, "notice")
    assert refused.value.code == "notice_running"
    assert action.reason.startswith(refused.value.message)
    clock.advance(1)
    action = _action(case, village_worker, clock)
    assert (action.available, action.reason, action.hold) == (True, "", "")
    step(village_worker, case, "notice")


def test_the_case_page_shows_the_disabled_step_and_its_reason(
    case, clock, village_worker, township_cadre
):
    page = client_for(township_cadre).get(reverse("case-detail", args=[case.pk]))
    text = page.content.decode()
    assert "下一环节：" in text
    assert '办理方：农户 · <span translate="no">张建国</span>（户主）' in text
    assert re.search(r"<button[^>]*disabled[^>]*>登记[^<]*结果</button>", text)
    assert "等待农户签署承诺授权书" in text
    page = client_for(village_worker).get(reverse("case-detail", args=[case.pk]))
    text = page.content.decode()
    assert re.search(r'<button type="submit" class="primary">登记[^<]*结果</button>', text)
    assert 'name="decision" value="approved"' in text and "同意" in text


def test_the_notice_page_disables_the_result_during_the_objection_period(
    case, clock, village_worker, township_cadre
):
    _to_notice(case, village_worker, township_cadre)
    _post(case, village_worker, clock.today(), datetime.date(2026, 3, 8))
    text = client_for(village_worker).get(reverse("case-detail", args=[case.pk])).content.decode()
    assert re.search(r"<button[^>]*disabled[^>]*>登记[^<]*结果</button>", text)
    assert "异议期至 3月8日（还有 5 个工作日）" in text


# --- the step's own words -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "zh", "en"),
    [
        ("consent", ["同意", "不同意"], ["Agrees", "Does not agree"]),
        ("deliberation", ["通过", "不通过"], ["Passed", "Not passed"]),
        ("township_review", ["审核通过", "审核不通过"], ["Review passed", "Review not passed"]),
        ("county_approval", ["批准", "不批准"], ["Approved", "Not approved"]),
        ("notice", ["公示无异议", "异议成立"], ["No objection upheld", "Objection upheld"]),
    ],
)
def test_each_step_decides_in_its_own_words(kind, zh, en):
    def labels():
        form = StepForm(kind=kind, initial={"version": 1})
        return [str(label) for _value, label in form.fields["decision"].choices]

    assert labels() == zh
    with translation.override("en"):
        assert labels() == en


def test_a_decided_step_is_shown_in_its_own_words(case, clock, village_worker):
    step(village_worker, case, "consent")
    consent = case.steps.get(kind="consent")
    assert consent.decision_label == "同意"
    with translation.override("en"):
        assert consent.decision_label == "Agrees"


# --- the API ------------------------------------------------------------------------------------


def test_the_api_says_who_acts_next_and_whether_the_caller_may(
    case, clock, village_worker, township_cadre
):
    url = f"/api/v1/cases/{case.pk}/"
    mine = client_for(village_worker).get(url).json()["next_step"]
    assert mine["kind"] == "consent" and mine["role"] == "household"
    assert mine["person"] == {"id": None, "name": "张建国", "relation": "户主"}
    assert (mine["available"], mine["reason"], mine["hold"]) == (True, "", "")
    theirs = client_for(township_cadre).get(url).json()["next_step"]
    assert (theirs["available"], theirs["reason"]) == (False, "等待农户签署承诺授权书")
    listed = client_for(township_cadre).get("/api/v1/cases/").json()["results"]
    assert listed[0]["next_step"]["reason"] == "等待农户签署承诺授权书"


def test_the_schema_describes_the_next_step():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["NextStep"]["properties"]
    assert {"role", "person", "available", "reason", "hold"} <= set(fields)


# --- the notice of one deliberation meeting -----------------------------------------------------


def _household(actor, village, name, serial):
    created = household_services.household_create(
        actor=actor,
        village_code=village,
        poverty_status="lifted_out",
        poverty_exit_year=2019,
        address=f"{name}家住址9社{serial}号",
        phone=f"1389300{serial:04d}",
        bank_account=f"62284804025648{serial:05d}",
    )
    household_services.member_create(
        actor=actor,
        household_id=created.pk,
        name=name,
        id_number=make_id_number("620423", "19700101", serial),
        relation="head",
        labour="ordinary",
        education="junior",
    )
    created.refresh_from_db()
    return created


def _deliberated(household, *, village_worker, township_cadre, posted_on):
    case = case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin=CaseOrigin.CADRE,
        category="unstable",
        risk_types=["illness"],
        situation="户主患病，收入下降",
    )
    _to_notice(case, village_worker, township_cadre)
    _post(case, village_worker, posted_on, posted_on + datetime.timedelta(days=6))
    return case


@pytest.fixture
def meeting(case, clock, village_worker, township_cadre):
    """Two households deliberated on Monday 2 March in the home village; one the next day; one
    the same Monday in the township's other village."""
    monday = clock.today()
    _to_notice(case, village_worker, township_cadre)
    _post(case, village_worker, monday, monday + datetime.timedelta(days=6))
    second = _deliberated(
        _household(township_cadre, HOME_VILLAGE, "赵明", 11),
        village_worker=village_worker,
        township_cadre=township_cadre,
        posted_on=monday,
    )
    neighbour = _user("neighbour_worker", Role.VILLAGE_WORKER, OTHER_VILLAGE_SAME_TOWNSHIP)
    elsewhere = _deliberated(
        _household(township_cadre, OTHER_VILLAGE_SAME_TOWNSHIP, "钱亮", 12),
        village_worker=neighbour,
        township_cadre=township_cadre,
        posted_on=monday,
    )
    clock.advance(1)
    later = _deliberated(
        _household(township_cadre, HOME_VILLAGE, "孙强", 13),
        village_worker=village_worker,
        township_cadre=township_cadre,
        posted_on=clock.today(),
    )
    return {"day": monday, "in": [case, second], "out": [later], "elsewhere": elsewhere}


def _print(user, day, village=HOME_VILLAGE):
    return client_for(user).post(reverse("meeting-notice-print", args=[village, day.isoformat()]))


def test_the_meeting_notice_lists_every_household_of_the_meeting_and_only_them(
    meeting, township_cadre
):
    rows = notices.meeting_notice(
        user=township_cadre, village_code=HOME_VILLAGE, day=meeting["day"]
    )
    assert sorted(row.case_id for row in rows) == sorted(c.pk for c in meeting["in"])
    response = _print(township_cadre, meeting["day"])
    text = response.content.decode()
    assert response.status_code == 200
    assert "张建国" in text and "赵明" in text
    assert "孙强" not in text and "钱亮" not in text
    assert "以下 2 户经 2026年3月2日 村民主评议" in text
    event = ExportEvent.objects.get(name="meeting-notice")
    assert event.row_count == 2 and event.user == township_cadre


def test_the_meeting_notice_shows_no_more_than_each_single_notice(meeting, township_cadre):
    rows = notices.meeting_notice(
        user=township_cadre, village_code=HOME_VILLAGE, day=meeting["day"]
    )
    # Each row is exactly what the household's own notice is built from.
    for row in rows:
        case = next(c for c in meeting["in"] if c.pk == row.case_id)
        assert notices.case_notice(case) == row
    text = _print(township_cadre, meeting["day"]).content.decode()
    for case in meeting["in"]:
        household = case.household
        single = client_for(township_cadre).post(reverse("case-notice-print", args=[case.pk]))
        single_text = single.content.decode()
        for secret in (household.address, household.phone, household.bank_account):
            assert secret and secret not in text and secret not in single_text
    # The ID numbers of the heads and the spouse (tests/conftest.py, _household above).
    for serial, born in ((1, "19680315"), (2, "19700621"), (11, "19700101")):
        id_number = make_id_number("620423", born, serial)
        assert id_number not in text and id_number[-6:] not in text
    # Nothing of a household is on the sheet but its head's name: no number, no member.
    assert meeting["in"][0].household.number not in text
    assert "李秀英" not in text


def test_an_outsider_cannot_print_the_meeting_notice(meeting, other_township_cadre):
    assert _print(other_township_cadre, meeting["day"]).status_code == 404
    assert not ExportEvent.objects.filter(name="meeting-notice").exists()


def test_a_day_without_a_meeting_has_no_notice(meeting, township_cadre):
    assert _print(township_cadre, meeting["day"] - datetime.timedelta(days=1)).status_code == 404
    assert _print(township_cadre, meeting["day"], village="620423100299").status_code == 404


def test_the_meeting_notice_needs_a_post(meeting, township_cadre):
    url = reverse("meeting-notice-print", args=[HOME_VILLAGE, meeting["day"].isoformat()])
    response = client_for(township_cadre).get(url)
    assert response.status_code == 302  # to a page of the site, nothing printed


def test_the_case_page_and_the_case_list_link_the_meeting_notice(meeting, village_worker):
    url = reverse("meeting-notice-print", args=[HOME_VILLAGE, "2026-03-02"])
    case = meeting["in"][0]
    assert (
        url
        in client_for(village_worker).get(reverse("case-detail", args=[case.pk])).content.decode()
    )
    listing = client_for(village_worker).get(reverse("case-list")).content.decode()
    assert url in listing and "2 户" in listing
