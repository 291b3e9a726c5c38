"""Deadline profiles: each province's limits counted on the working-day calendar.

2026: 1–7 October is the National Day holiday and Saturday 10 October is worked in exchange
(调休). A step opened on Wednesday 30 September counts 8, 9, 10 (Saturday), 12, 13 October…
"""

import datetime
import json

import pghistory.models
import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from assistance import steps
from assistance.deadlines import Deadlines
from assistance.models import CalendarDay, CaseStep, DeadlineProfile
from assistance.services import cases as case_services
from assistance.services import deadlines as deadline_services
from tests.assistance.conftest import step
from tests.conftest import HOME_COUNTY, HOME_VILLAGE, OTHER_COUNTY, client_for

pytestmark = pytest.mark.django_db

D = datetime.date
OPENED = D(2026, 9, 30)  # a Wednesday, the day before the holiday
ANHUI_VILLAGE = "340102001001"
HAINAN_VILLAGE = "460105001001"
BEIJING_VILLAGE = "110101001001"  # no province profile: the national one


def due_dates(village: str, phase: str = "identification") -> dict[str, D]:
    deadlines = Deadlines()
    profile = deadlines.profile_for(village)
    return {
        rule.kind: deadlines.due_on(profile, OPENED, phase, rule.kind)
        for rule in steps.PHASE_STEPS[phase]
    }


def test_gansu_counts_working_days_across_national_day_and_the_make_up_saturday():
    assert due_dates(HOME_VILLAGE) == {
        "proposal": OPENED,
        "consent": D(2026, 10, 9),  # 8, 9
        "info_check": D(2026, 10, 13),  # 8, 9, 10 (Saturday, 调休), 12, 13: 5 working days
        "deliberation": D(2026, 10, 16),
        "notice": D(2026, 10, 23),
        "township_review": D(2026, 10, 26),
        "county_approval": D(2026, 10, 27),  # 15 working days
    }
    assert due_dates(HOME_VILLAGE, "elimination")["home_verification"] == D(2026, 10, 13)


def test_anhui_accepts_a_self_report_in_two_working_days_and_decides_in_twenty():
    due = due_dates(ANHUI_VILLAGE)
    assert due["consent"] == D(2026, 10, 9)
    assert due["county_approval"] == D(2026, 11, 3)  # 20 working days, 10 October among them


def test_hainan_decides_within_twenty_working_days():
    due = due_dates(HAINAN_VILLAGE)
    assert due["consent"] == D(2026, 10, 10)  # the third working day is the make-up Saturday
    assert due["county_approval"] == D(2026, 11, 3)


def test_the_national_profile_counts_calendar_days_ending_after_the_holiday():
    due = due_dates(BEIJING_VILLAGE)
    # Day 2 (2 October), day 5 and day 7 fall in the holiday: they end on Thursday 8 October.
    assert due["consent"] == due["info_check"] == due["deliberation"] == D(2026, 10, 8)
    assert due["notice"] == D(2026, 10, 13)
    assert due["county_approval"] == D(2026, 10, 15)


def test_a_case_of_the_home_county_takes_gansus_limits(household, township_cadre, clock):
    clock.set(OPENED)
    case = case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病，收入低于监测线",
    )
    check = case.steps.get(kind="info_check")
    assert check.due_on == D(2026, 10, 13)
    assert (check.due_days, check.due_unit, check.due_profile) == (5, "working", "甘肃省")
    assert check.due_limit_label == "5个工作日内"


def test_a_year_the_package_does_not_know_is_counted_from_the_countys_rows(county_officer):
    assert not Deadlines().calendar.knows(2040)
    # 2040's notice, as a county enters it: 2 and 3 January off, Saturday 7 January worked.
    for day, working in ((D(2040, 1, 2), False), (D(2040, 1, 3), False), (D(2040, 1, 7), True)):
        deadline_services.calendar_day_save(actor=county_officer, day=day, is_working=working)
    deadlines = Deadlines()
    assert deadlines.calendar.knows(2040)
    gansu = deadlines.profile_for(HOME_VILLAGE)
    # Opened Friday 30 December 2039: 2 January (Monday) and 3 January are off; 4, 5, 6 and
    # Saturday 7 January are the first four working days, 9 January the fifth.
    assert deadlines.due_on(gansu, D(2039, 12, 30), "identification", "info_check") == D(2040, 1, 9)


def test_a_township_cadre_may_not_enter_calendar_days(township_cadre):
    with pytest.raises(PermissionDenied):
        deadline_services.calendar_day_save(
            actor=township_cadre, day=D(2040, 1, 2), is_working=False
        )
    assert not CalendarDay.objects.exists()


def _county_limits(days: int) -> dict:
    limits = steps.national_limits()
    for rows in limits.values():
        for kind, row in rows.items():
            row["unit"] = "working"
            row["days"] = {"consent": 1}.get(kind, row["days"] + days)
    return limits


def test_a_county_profile_beats_the_province_which_beats_the_national(county_officer):
    deadline_services.deadline_profile_save(
        actor=county_officer,
        region_code=HOME_COUNTY,
        name="景泰县",
        limits=_county_limits(1),
        notice_min_days=7,
        escalate_after_working_days=2,
    )
    deadlines = Deadlines()
    assert deadlines.profile_for(HOME_VILLAGE).name == "景泰县"
    assert deadlines.profile_for("620421100200").name == "甘肃省"  # Jingyuan, same province
    assert deadlines.profile_for(BEIJING_VILLAGE).name == "全国默认"


def test_changing_a_profile_moves_running_steps_and_records_it(
    household, township_cadre, village_worker, county_officer, clock
):
    clock.set(OPENED)
    case = case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病，收入低于监测线",
    )
    clock.set(D(2026, 10, 8))
    step(village_worker, case, "consent")
    consent_before = case.steps.get(kind="consent")

    profile, moved = deadline_services.deadline_profile_save(
        actor=county_officer,
        region_code=HOME_COUNTY,
        name="景泰县",
        limits=_county_limits(1),
        notice_min_days=5,
        escalate_after_working_days=3,
    )
    assert moved == 5  # every undecided step; the proposal and the consent were decided
    check = case.steps.get(kind="info_check")
    assert check.due_on == D(2026, 10, 14)  # 6 working days now
    assert (check.due_days, check.due_profile) == (6, "景泰县")
    consent = case.steps.get(kind="consent")
    assert (consent.due_on, consent.due_profile) == (consent_before.due_on, "甘肃省")
    event = (
        pghistory.models.Events.objects.references(check)
        .filter(pgh_model="assistance.CaseStepEvent", pgh_label="update")
        .order_by("-pgh_created_at")
        .first()
    )
    assert event is not None and event.pgh_data["due_on"] == "2026-10-14"
    assert event.pgh_context["user"] == county_officer.pk
    assert event.pgh_context["deadline_profile"] == "景泰县"


def test_a_notice_under_five_days_is_refused_with_nothing_written(county_officer, case):
    before = list(CaseStep.objects.values_list("pk", "due_on"))
    with pytest.raises(ValidationError) as refused:
        deadline_services.deadline_profile_save(
            actor=county_officer,
            region_code=HOME_COUNTY,
            name="景泰县",
            limits=_county_limits(1),
            notice_min_days=3,
            escalate_after_working_days=3,
        )
    assert refused.value.message_dict["notice_min_days"] == [
        "按国家政策，村级公示不少于 5 天；配置只能延长，不能缩短。"
    ]
    assert not DeadlineProfile.objects.filter(region_code=HOME_COUNTY).exists()
    assert list(CaseStep.objects.values_list("pk", "due_on")) == before


def test_limits_out_of_order_or_missing_are_refused(county_officer):
    limits = _county_limits(1)
    limits["identification"]["county_approval"]["days"] = 2
    del limits["elimination"]["notice"]
    with pytest.raises(ValidationError) as refused:
        deadline_services.deadline_profile_save(
            actor=county_officer,
            region_code=HOME_COUNTY,
            name="景泰县",
            limits=limits,
            notice_min_days=5,
            escalate_after_working_days=3,
        )
    errors = refused.value.message_dict["limits"]
    assert "识别认定，县级审定：期限早于其前一步。" in errors
    assert "风险消除，村级公示：请以整数天数填写期限。" in errors
    assert not DeadlineProfile.objects.filter(region_code=HOME_COUNTY).exists()


def test_a_county_officer_may_not_set_another_countys_or_the_provinces_profile(
    other_county_officer, township_cadre
):
    for actor, region in (
        (other_county_officer, HOME_COUNTY),
        (other_county_officer, "620000000000"),
        (township_cadre, HOME_COUNTY),
    ):
        with pytest.raises(PermissionDenied):
            deadline_services.deadline_profile_save(
                actor=actor,
                region_code=region,
                name="x",
                limits=_county_limits(1),
                notice_min_days=5,
                escalate_after_working_days=3,
            )
    assert DeadlineProfile.objects.get(region_code="620000000000").version == 1
    assert not DeadlineProfile.objects.filter(region_code=HOME_COUNTY).exists()
    assert OTHER_COUNTY  # the other county's officer covers only 620421


def test_a_profile_asking_a_longer_notice_refuses_a_five_day_one(
    case, county_officer, village_worker, township_cadre, clock
):
    deadline_services.deadline_profile_save(
        actor=county_officer,
        region_code=HOME_COUNTY,
        name="景泰县",
        limits=_county_limits(1),
        notice_min_days=7,
        escalate_after_working_days=3,
    )
    step(village_worker, case, "consent")
    step(township_cadre, case, "info_check", info_check_result="consistent")
    step(village_worker, case, "deliberation", comment="村民代表一致同意")
    case.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        case_services.case_notice_post(
            actor=village_worker,
            case=case,
            version=case.version,
            starts_on=clock.today(),
            ends_on=clock.today() + datetime.timedelta(days=4),
        )
    assert refused.value.message_dict["ends_on"] == ["公示期不少于 7 天，首尾两天均计入。"]


ADD_PROFILE = "/admin/assistance/deadlineprofile/add/"


def _profile_form(**fields) -> dict:
    return {
        "name": "景泰县",
        "region_code": HOME_COUNTY,
        "limits": json.dumps(_county_limits(1)),
        "notice_min_days": "5",
        "escalate_after_working_days": "3",
        "self_report_acceptance_days": "3",
        "_save": "1",
        **fields,
    }


def test_the_admin_refuses_a_short_notice_in_words_and_writes_nothing(county_officer):
    response = client_for(county_officer).post(ADD_PROFILE, _profile_form(notice_min_days="3"))
    assert response.status_code == 200
    assert "按国家政策，村级公示不少于 5 天；配置只能延长，不能缩短。" in response.content.decode()
    assert not DeadlineProfile.objects.filter(region_code=HOME_COUNTY).exists()
    assert not LogEntry.objects.exists()


def test_a_county_officer_sets_the_countys_profile_in_the_admin(county_officer):
    response = client_for(county_officer).post(ADD_PROFILE, _profile_form())
    assert response.status_code == 302
    profile = DeadlineProfile.objects.get(region_code=HOME_COUNTY)
    assert profile.limits["identification"]["info_check"] == {"days": 6, "unit": "working"}
    # The province's profile is shown to the county, not given to it to change.
    gansu = DeadlineProfile.objects.get(region_code="620000000000")
    page = client_for(county_officer).post(
        f"/admin/assistance/deadlineprofile/{gansu.pk}/change/", _profile_form(name="改")
    )
    assert page.status_code == 403
    gansu.refresh_from_db()
    assert (gansu.name, gansu.version) == ("甘肃省", 1)
