import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.models import (
    Case,
    CaseStatus,
    CaseStep,
    DeadlineProfile,
    MeasureStatus,
    Phase,
)
from assistance.services import cases as case_services
from assistance.services.measures import MeasurePlan, measure_create, measure_record_delivery
from core.errors import EditConflict
from households.models import Household
from monitoring import scans
from monitoring.models import AlertStatus
from tests.assistance.conftest import START, step, visit, walk_identification

# The national 15 calendar days (the home county follows Gansu's working days otherwise).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_deadlines")]


def has_open_case(household_id: int) -> bool:
    """The fact the case services keep on the household for monitoring."""
    return Household.objects.values_list("has_open_case", flat=True).get(pk=household_id)


def test_a_confirmed_alert_becomes_a_case_with_every_step_due(case, confirmed_alert):
    confirmed_alert.refresh_from_db()
    assert confirmed_alert.status == AlertStatus.CASE
    assert confirmed_alert.timeline.filter(action="case_opened").exists()
    assert case.status == CaseStatus.IDENTIFYING
    assert case.social_assistance == "none"
    due = {s.kind: s.due_on for s in case.steps.all()}
    day0 = START.date()
    # Days of the national profile; a limit whose last day is a day off ends on the next working
    # day (day 5 is Saturday 7 March, day 13 Sunday 15 March: both move to the Monday).
    assert due == {
        "proposal": day0,
        "consent": day0 + datetime.timedelta(days=2),
        "info_check": day0 + datetime.timedelta(days=7),
        "deliberation": day0 + datetime.timedelta(days=7),
        "notice": day0 + datetime.timedelta(days=14),
        "township_review": day0 + datetime.timedelta(days=14),
        "county_approval": day0 + datetime.timedelta(days=15),
    }
    proposal = case.steps.get(kind="proposal")
    assert proposal.decision == "approved" and proposal.actor_id == case.proposed_by_id
    assert has_open_case(case.household_id)


def test_a_shorter_limit_moves_every_due_date(settings, confirmed_alert, township_cadre):
    # The setting shapes the limits of a county that has no deadline profile at all.
    DeadlineProfile.objects.all().delete()
    settings.CASE_PHASE_DAYS = 10
    case = case_services.case_propose(
        actor=township_cadre,
        household_id=confirmed_alert.household_id,
        origin="alert",
        alert_id=confirmed_alert.pk,
        category="sudden_hardship",
        risk_types=["illness"],
        situation="收入骤降",
    )
    assert case.steps.get(kind="county_approval").due_on == START.date() + datetime.timedelta(
        days=10
    )
    assert case.steps.get(kind="consent").due_on == START.date() + datetime.timedelta(days=2)


def test_identification_walks_to_enrolment(
    case, clock, village_worker, township_cadre, county_officer
):
    enrolled = walk_identification(
        case,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
        county_officer=county_officer,
    )
    assert enrolled.status == CaseStatus.ENROLLED
    assert enrolled.enrolled_on == START.date() + datetime.timedelta(days=11)
    assert not CaseStep.objects.filter(case=case, decision="").exists()
    household = Household.objects.get(pk=case.household_id)
    assert household.is_monitored and household.has_open_case
    # A monitored household is visited monthly.
    assert household.next_visit_due == household.last_visit_on + datetime.timedelta(days=30)
    actors = dict(case.steps.values_list("kind", "actor__username"))
    assert actors["consent"] == "village_worker"
    assert actors["info_check"] == "township_cadre"
    assert actors["county_approval"] == "county_officer"


def test_enrolling_a_never_visited_household_makes_it_due_a_month_after_registration(
    household, clock, village_worker, township_cadre, county_officer
):
    """The due date counts from registration when there is no visit, as the rule does; and
    the evaluation the enrolment asks for writes the same day (issue 16)."""
    case = case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="干部排查：家庭收入不稳定",
        responsible_id=township_cadre.pk,
    )
    walk_identification(
        case,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
        county_officer=county_officer,
    )
    household = Household.objects.get(pk=household.pk)
    due = household.created_at.astimezone(datetime.UTC).date() + datetime.timedelta(days=30)
    assert household.last_visit_on is None and household.next_visit_due == due
    assert household.evaluation_pending_since is not None
    scans.evaluate_one(household.pk, as_of=clock.today())
    household.refresh_from_db()
    assert household.next_visit_due == due and household.evaluation_pending_since is None


def test_a_second_case_for_the_same_household_is_refused(case, township_cadre):
    with pytest.raises(ValidationError) as error:
        case_services.case_propose(
            actor=township_cadre,
            household_id=case.household_id,
            origin="cadre",
            category="sudden_hardship",
            risk_types=["other"],
            situation="再次提议",
        )
    assert error.value.code == "case_exists"
    assert Case.objects.count() == 1
    assert has_open_case(case.household_id)


def test_a_case_needs_a_confirmed_alert_of_its_household(household, township_cadre):
    with pytest.raises(ValidationError) as error:
        case_services.case_propose(
            actor=township_cadre,
            household_id=household.pk,
            origin="alert",
            alert_id=999999,
            category="sudden_hardship",
            risk_types=["illness"],
            situation="没有预警",
        )
    assert "alert" in error.value.message_dict
    assert not Case.objects.exists()


def test_bad_description_is_refused_and_nothing_written(household, village_worker):
    with pytest.raises(ValidationError) as error:
        case_services.case_propose(
            actor=village_worker,
            household_id=household.pk,
            origin="cadre",
            category="rich",
            risk_types=["boredom"],
            situation="",
        )
    assert set(error.value.message_dict) == {"category", "risk_types", "situation"}
    assert not Case.objects.exists()
    assert not has_open_case(household.pk)


def test_social_assistance_is_taken_from_the_members(household, village_worker):
    household.members.filter(relation="spouse").update(dibao=True)
    case = case_services.case_propose(
        actor=village_worker,
        household_id=household.pk,
        origin="self_report",
        category="sudden_hardship",
        risk_types=["illness"],
        situation="农户申报：医疗支出大",
    )
    assert case.social_assistance == "dibao"


def test_steps_are_taken_in_order(case, township_cadre, county_officer):
    with pytest.raises(ValidationError) as error:
        step(township_cadre, case, "township_review")
    assert error.value.code == "out_of_order"
    with pytest.raises(ValidationError):
        step(county_officer, case, "county_approval")
    assert not CaseStep.objects.filter(case=case, decision="", kind="consent").count() == 0


@pytest.mark.parametrize(
    "persona",
    ["township_cadre", "county_officer", "partner", "auditor", "api_client_user"],
)
def test_only_a_village_worker_records_consent(request, case, persona):
    with pytest.raises(PermissionDenied):
        step(request.getfixturevalue(persona), case, "consent")
    assert case.steps.get(kind="consent").decision == ""


def test_rejection_ends_identification_with_its_reason(case, village_worker):
    rejected = step(village_worker, case, "consent", decision="rejected", comment="农户不同意授权")
    assert rejected.status == CaseStatus.REJECTED
    assert rejected.close_reason == "农户不同意授权"
    assert rejected.closed_on == START.date()
    assert not Household.objects.get(pk=case.household_id).is_monitored
    assert not has_open_case(case.household_id)


def test_rejection_needs_a_reason(case, village_worker):
    with pytest.raises(ValidationError) as error:
        step(village_worker, case, "consent", decision="rejected")
    assert "comment" in error.value.message_dict


def test_two_people_acting_on_the_same_step_one_wins(case, village_worker):
    seen = case.version
    case_services.case_step_record(
        actor=village_worker, case=case, version=seen, kind="consent", decision="approved"
    )
    with pytest.raises(EditConflict):
        case_services.case_step_record(
            actor=village_worker, case=case, version=seen, kind="consent", decision="approved"
        )
    assert case.steps.get(kind="consent").actor == village_worker


def _to_notice(case, clock, village_worker, township_cadre):
    step(village_worker, case, "consent")
    step(township_cadre, case, "info_check", info_check_result="consistent")
    step(village_worker, case, "deliberation")
    case.refresh_from_db()


def test_a_notice_of_less_than_five_days_is_refused(case, clock, village_worker, township_cadre):
    _to_notice(case, clock, village_worker, township_cadre)
    today = clock.today()
    with pytest.raises(ValidationError) as error:
        case_services.case_notice_post(
            actor=village_worker,
            case=case,
            version=case.version,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=3),
        )
    assert "ends_on" in error.value.message_dict
    assert case.steps.get(kind="notice").notice_starts_on is None


def test_the_notice_result_waits_until_objections_close(
    case, clock, village_worker, township_cadre
):
    _to_notice(case, clock, village_worker, township_cadre)
    today = clock.today()
    case_services.case_notice_post(
        actor=village_worker,
        case=case,
        version=case.version,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=4),
    )
    clock.advance(4)
    with pytest.raises(ValidationError) as error:
        step(village_worker, case, "notice")
    assert error.value.code == "notice_running"
    clock.advance(1)
    step(village_worker, case, "notice", objections="村民李某提出异议，经核实不成立")
    notice = case.steps.get(kind="notice")
    assert notice.decision == "approved"
    assert "异议" in notice.objections


def test_an_inconsistent_information_check_cannot_pass(case, village_worker, township_cadre):
    step(village_worker, case, "consent")
    with pytest.raises(ValidationError) as error:
        step(township_cadre, case, "info_check", info_check_result="inconsistent")
    assert "decision" in error.value.message_dict


def test_overdue_steps_are_listed_for_the_township_and_county(
    case, clock, township_cadre, county_officer, other_township_cadre
):
    from assistance.selectors import steps_overdue

    clock.advance(3)
    overdue = list(steps_overdue(township_cadre, as_of=clock.today()))
    assert [(s.case_id, s.kind) for s in overdue] == [(case.pk, "consent")]
    assert steps_overdue(county_officer, as_of=clock.today()).count() == 1
    assert steps_overdue(other_township_cadre, as_of=clock.today()).count() == 0


@pytest.fixture
def enrolled(case, clock, village_worker, township_cadre, county_officer) -> Case:
    return walk_identification(
        case,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
        county_officer=county_officer,
    )


def _deliver_a_measure(case, township_cadre, partner_org, partner):
    measure = measure_create(
        actor=township_cadre,
        case=case,
        plan=MeasurePlan(
            kind="employment",
            title="县城物流园装卸岗位",
            responsible_id=township_cadre.pk,
            planned_start=case.enrolled_on,
            partner_id=partner_org.pk,
        ),
    )
    return measure_record_delivery(
        actor=partner,
        measure=measure,
        version=measure.version,
        status=MeasureStatus.DELIVERED,
        actual_start=case.enrolled_on,
        result="已上岗，月工资3000元",
    )


def _good_months(actor, household, clock, months=6):
    """Monthly visits above the line, ending today."""
    for _ in range(months):
        clock.advance(31)
        visit(actor, household, on=clock.today(), per_person=Decimal("9000"))


def test_elimination_walks_to_risk_eliminated(
    enrolled, clock, village_worker, township_cadre, county_officer, partner_org, partner
):
    _deliver_a_measure(enrolled, township_cadre, partner_org, partner)
    _good_months(village_worker, enrolled.household, clock)
    enrolled.refresh_from_db()
    eliminating = case_services.case_elimination_propose(
        actor=village_worker, case=enrolled, version=enrolled.version, comment="收入稳定"
    )
    assert eliminating.status == CaseStatus.ELIMINATING
    assert has_open_case(enrolled.household_id)
    proposal = eliminating.steps.get(phase=Phase.ELIMINATION, kind="proposal")
    assert all(item["passed"] for item in proposal.eligibility)
    clock.advance(1)
    step(village_worker, enrolled, "home_verification")
    step(village_worker, enrolled, "deliberation")
    enrolled.refresh_from_db()
    case_services.case_notice_post(
        actor=village_worker,
        case=enrolled,
        version=enrolled.version,
        starts_on=clock.today(),
        ends_on=clock.today() + datetime.timedelta(days=4),
    )
    clock.advance(5)
    step(village_worker, enrolled, "notice")
    step(township_cadre, enrolled, "township_review")
    done = step(county_officer, enrolled, "county_approval")
    assert done.status == CaseStatus.ELIMINATED
    assert done.eliminated_on == clock.today()
    household = Household.objects.get(pk=enrolled.household_id)
    assert not household.is_monitored and not household.has_open_case
    assert household.risk_eliminated_on == clock.today()
    # Followed less often than while monitored.
    assert household.next_visit_due == household.last_visit_on + datetime.timedelta(days=60)


def test_a_household_can_be_enrolled_again_after_elimination(
    enrolled, clock, village_worker, township_cadre
):
    Case.objects.filter(pk=enrolled.pk).update(status=CaseStatus.ELIMINATED)
    again = case_services.case_propose(
        actor=village_worker,
        household_id=enrolled.household_id,
        origin="cadre",
        category="sudden_hardship",
        risk_types=["disaster"],
        situation="冰雹毁坏农作物",
    )
    assert again.status == CaseStatus.IDENTIFYING
    assert has_open_case(enrolled.household_id)


def _failing(enrolled, village_worker) -> set[str]:
    enrolled.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        case_services.case_elimination_propose(
            actor=village_worker, case=enrolled, version=enrolled.version
        )
    assert Case.objects.get(pk=enrolled.pk).status == CaseStatus.ENROLLED
    return {e.code for e in error.value.error_list}


def test_elimination_is_refused_before_six_months(
    enrolled, clock, village_worker, township_cadre, partner_org, partner
):
    _deliver_a_measure(enrolled, township_cadre, partner_org, partner)
    _good_months(village_worker, enrolled.household, clock)
    # Six good months of visits, but enrolled a day less than six months ago.
    Case.objects.filter(pk=enrolled.pk).update(
        enrolled_on=clock.today() - datetime.timedelta(days=180)
    )
    assert _failing(enrolled, village_worker) == {"enrolled_six_months"}


def test_the_named_day_of_six_months_is_the_day_elimination_may_be_proposed(
    enrolled, clock, village_worker, township_cadre, partner_org, partner
):
    from assistance import eligibility

    _deliver_a_measure(enrolled, township_cadre, partner_org, partner)
    _good_months(village_worker, enrolled.household, clock)
    # Enrolled on the last day of March: there is no 31 September, so six months are
    # complete on 30 September.
    Case.objects.filter(pk=enrolled.pk).update(enrolled_on=datetime.date(2026, 3, 31))
    enrolled.refresh_from_db()
    clock.set(datetime.date(2026, 9, 29))
    [early] = [
        item
        for item in eligibility.case_eligibility(enrolled, clock.today())
        if item.code == "enrolled_six_months"
    ]
    assert not early.passed and early.facts["complete_on"] == "2026-09-30"
    assert _failing(enrolled, village_worker) == {"enrolled_six_months"}
    clock.set(datetime.date(2026, 9, 30))
    enrolled.refresh_from_db()
    eliminating = case_services.case_elimination_propose(
        actor=village_worker, case=enrolled, version=enrolled.version
    )
    assert eliminating.status == CaseStatus.ELIMINATING


def test_elimination_is_refused_on_a_single_good_visit(
    enrolled, clock, village_worker, township_cadre, partner_org, partner
):
    _deliver_a_measure(enrolled, township_cadre, partner_org, partner)
    clock.advance(200)
    visit(village_worker, enrolled.household, on=clock.today(), per_person=Decimal("9000"))
    assert _failing(enrolled, village_worker) == {"income_above_line"}


def test_elimination_is_refused_without_a_delivered_measure(enrolled, clock, village_worker):
    _good_months(village_worker, enrolled.household, clock)
    assert _failing(enrolled, village_worker) == {"measure_delivered"}


def test_elimination_is_refused_when_one_visit_fell_below_the_line(
    enrolled, clock, village_worker, township_cadre, partner_org, partner
):
    _deliver_a_measure(enrolled, township_cadre, partner_org, partner)
    _good_months(village_worker, enrolled.household, clock, months=5)
    visit(village_worker, enrolled.household, on=clock.today(), per_person=Decimal("5000"))
    clock.advance(31)
    visit(village_worker, enrolled.household, on=clock.today(), per_person=Decimal("9000"))
    assert _failing(enrolled, village_worker) == {"income_above_line"}


def test_elimination_is_refused_with_a_failed_check(
    enrolled, clock, village_worker, township_cadre, partner_org, partner
):
    _deliver_a_measure(enrolled, township_cadre, partner_org, partner)
    _good_months(village_worker, enrolled.household, clock)
    visit(
        village_worker,
        enrolled.household,
        on=clock.today(),
        per_person=Decimal("9000"),
        safe_housing_ok=False,
    )
    assert _failing(enrolled, village_worker) == {"guarantees_met"}


def test_elimination_is_refused_while_rigid_spending_weighs(
    enrolled, clock, village_worker, township_cadre, partner_org, partner
):
    _deliver_a_measure(enrolled, township_cadre, partner_org, partner)
    _good_months(village_worker, enrolled.household, clock)
    from monitoring.models import Visit

    latest = Visit.objects.filter(household=enrolled.household).latest("visited_on")
    Visit.objects.filter(pk=latest.pk).update(
        medical_spending=Decimal("12000"), rigid_spending=Decimal("12000")
    )
    assert _failing(enrolled, village_worker) == {"rigid_spending_resolved"}


def test_a_household_without_labour_stays_under_the_safety_net(
    enrolled, clock, village_worker, township_cadre, partner_org, partner
):
    _deliver_a_measure(enrolled, township_cadre, partner_org, partner)
    _good_months(village_worker, enrolled.household, clock)
    enrolled.household.members.update(labour="lost")
    assert _failing(enrolled, village_worker) == {"has_labour"}


def test_a_refused_elimination_keeps_the_household_enrolled(
    enrolled, clock, village_worker, township_cadre, partner_org, partner
):
    _deliver_a_measure(enrolled, township_cadre, partner_org, partner)
    _good_months(village_worker, enrolled.household, clock)
    enrolled.refresh_from_db()
    case_services.case_elimination_propose(
        actor=village_worker, case=enrolled, version=enrolled.version
    )
    back = step(
        village_worker, enrolled, "home_verification", decision="rejected", comment="收入不稳"
    )
    assert back.status == CaseStatus.ENROLLED
    assert Household.objects.get(pk=enrolled.household_id).is_monitored
    assert has_open_case(enrolled.household_id)
    # It may be proposed again; the refused round stays on record.
    back = case_services.case_elimination_propose(
        actor=village_worker, case=back, version=back.version
    )
    assert back.elimination_round == 2
    assert back.steps.filter(phase=Phase.ELIMINATION).count() == 12


def test_no_new_warning_while_a_case_carries_the_household(case, clock, village_worker):
    from monitoring.engine.evaluation import evaluate_households
    from monitoring.models import ACTIVE_STATUSES, Alert

    households = Household.objects.filter(pk=case.household_id)
    evaluate_households(households, as_of=clock.today())
    assert not Alert.objects.filter(household=case.household, status__in=ACTIVE_STATUSES).exists()
    # Still scored: the household's risk stays visible on its page.
    assert households.get().risk_level == "high"
    step(village_worker, case, "consent", decision="rejected", comment="农户不同意")
    evaluate_households(households, as_of=clock.today())
    assert Alert.objects.filter(household=case.household, status__in=ACTIVE_STATUSES).exists()


def test_the_evaluation_reads_the_open_case_from_the_household(household, clock, village_worker):
    """Monitoring, below assistance, reads no case: the household's fact is what holds it."""
    from monitoring.engine.evaluation import evaluate_households
    from monitoring.models import Alert

    visit(village_worker, household, on=clock.today(), per_person=Decimal("2500"))
    households = Household.objects.filter(pk=household.pk)
    households.update(has_open_case=True)
    evaluate_households(households, as_of=clock.today())
    assert not Alert.objects.exists()
    assert households.get().risk_level == "high"
    households.update(has_open_case=False)
    evaluate_households(households, as_of=clock.today())
    assert Alert.objects.filter(household=household, status="open").exists()


def test_a_self_report_reads_the_open_case_from_the_household(household, village_worker):
    from monitoring.models import Alert
    from monitoring.services.alerts import self_report_record

    Household.objects.filter(pk=household.pk).update(has_open_case=True)
    with pytest.raises(ValidationError) as error:
        self_report_record(actor=village_worker, household_id=household.pk, report="又生病住院了")
    assert error.value.code == "case_open"
    assert not Alert.objects.exists()


def test_the_migration_marks_the_households_whose_case_is_open(case):
    """Cases opened before the fact existed: the data migration fills it from them."""
    import importlib

    from django.db import connection

    fill = importlib.import_module("assistance.migrations.0003_household_has_open_case").FILL
    households = Household.objects.filter(pk=case.household_id)
    for status, expected in [(CaseStatus.ENROLLED, True), (CaseStatus.ELIMINATED, False)]:
        Case.objects.filter(pk=case.pk).update(status=status)
        households.update(has_open_case=False)
        with connection.cursor() as cursor:
            cursor.execute(fill)
        assert has_open_case(case.household_id) is expected


def test_a_self_report_while_a_case_is_open_is_sent_to_the_case(case, village_worker):
    from monitoring.models import Alert
    from monitoring.services.alerts import self_report_record

    with pytest.raises(ValidationError) as error:
        self_report_record(
            actor=village_worker, household_id=case.household_id, report="又生病住院了"
        )
    assert error.value.code == "case_open"
    assert list(Alert.objects.values_list("status", flat=True)) == ["case"]


def test_a_notice_cannot_be_backdated(case, clock, village_worker, township_cadre):
    _to_notice(case, clock, village_worker, township_cadre)
    today = clock.today()
    with pytest.raises(ValidationError) as error:
        case_services.case_notice_post(
            actor=village_worker,
            case=case,
            version=case.version,
            starts_on=today - datetime.timedelta(days=6),
            ends_on=today - datetime.timedelta(days=1),
        )
    assert "starts_on" in error.value.message_dict


def test_a_stored_verdict_reads_in_the_language_of_whoever_opens_it():
    from django.utils import translation

    from assistance.eligibility import Item

    stored = Item("measure_delivered", True, {"count": 2}).as_json()
    with translation.override("en"):
        assert Item.from_json(stored).label == "At least one measure delivered"
    with translation.override("zh-hans"):
        assert "帮扶措施" in Item.from_json(stored).label


# The monitored household's category, kept for its layer ------------------------------------------


def test_an_enrolled_household_keeps_its_category_and_is_in_the_monitored_layer(
    enrolled, township_cadre, clock
):
    household = Household.objects.get(pk=enrolled.household_id)
    assert (household.is_monitored, household.monitored_category) == (True, enrolled.category)
    scans.evaluate_one(household.pk, as_of=clock.today())
    household.refresh_from_db()
    assert household.layer == "monitored"
    assert {"code": "monitored", "category": enrolled.category} in household.layer_reasons

    case_services.case_update(
        actor=township_cadre,
        case=enrolled,
        version=enrolled.version,
        category="sudden_hardship",
        risk_types=enrolled.risk_types,
        situation=enrolled.situation,
        social_assistance=enrolled.social_assistance,
    )
    scans.evaluate_one(household.pk, as_of=clock.today())
    household.refresh_from_db()
    assert household.monitored_category == "sudden_hardship"
    assert {"code": "monitored", "category": "sudden_hardship"} in household.layer_reasons
