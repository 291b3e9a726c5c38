"""Each kind of task appears for the person who must act, for nobody else, and goes when done."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from accounts.models import Role, User
from assistance.eligibility import months_after
from assistance.models import CaseStatus, Measure, MeasureStatus
from households.models import Household
from monitoring.engine.evaluation import evaluate_households
from monitoring.models import Alert, AlertStatus, Signal
from monitoring.services import alerts as alert_services
from monitoring.services import signals as signal_services
from tests.conftest import HOME_TOWNSHIP, HOME_VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP
from tests.worklist.conftest import step, visit
from worklist.selectors import task_counts, tasks_for

pytestmark = pytest.mark.django_db


def kinds_of(user, **filters) -> list[str]:
    return [task.kind for task in tasks_for(user, **filters)]


def test_a_visit_falls_due_for_the_village_worker_and_goes_when_recorded(
    household,
    village_worker,
    township_cadre,
    other_township_cadre,
    county_officer,
    partner,
    auditor,
    clock,
):
    visit(
        village_worker,
        household,
        on=clock.today() - datetime.timedelta(days=200),
        per_person=Decimal("9000"),
    )
    household.refresh_from_db()
    assert household.next_visit_due < clock.today()

    [task] = tasks_for(village_worker)
    assert (task.kind, task.overdue) == ("visit_due", True)
    assert task.days_overdue == (clock.today() - household.next_visit_due).days
    assert household.number in task.subject and "张建国" in task.subject
    assert task.url == f"/visits/new/?household={household.pk}"
    assert "visit_due" in kinds_of(township_cadre)
    for outsider in (other_township_cadre, county_officer, partner, auditor):
        assert "visit_due" not in kinds_of(outsider)

    visit(village_worker, household, on=clock.today(), per_person=Decimal("9000"))
    assert "visit_due" not in kinds_of(village_worker)


def test_a_visit_due_within_a_week_shows_not_overdue_and_later_ones_do_not_show(
    household, village_worker, clock
):
    Household.objects.filter(pk=household.pk).update(
        next_visit_due=clock.today() + datetime.timedelta(days=7)
    )
    [task] = tasks_for(village_worker)
    assert (task.overdue, task.days_overdue) == (False, 0)
    Household.objects.filter(pk=household.pk).update(
        next_visit_due=clock.today() + datetime.timedelta(days=8)
    )
    assert tasks_for(village_worker) == []


@pytest.fixture
def open_alert(household, village_worker, clock) -> Alert:
    visit(village_worker, household, on=clock.today(), per_person=Decimal("2500"))
    evaluate_households(Household.objects.filter(pk=household.pk), as_of=clock.today())
    return Alert.objects.get(household=household, status=AlertStatus.OPEN)


def test_a_warning_walks_from_assign_to_verify_to_confirm_and_leaves_each_list(
    open_alert,
    village_worker,
    township_cadre,
    other_township_cadre,
    county_officer,
    partner,
    auditor,
):
    assert kinds_of(township_cadre, kinds=["alert_assign"]) == ["alert_assign"]
    for nobody in (village_worker, other_township_cadre, county_officer, partner, auditor):
        assert kinds_of(nobody, kinds=["alert_assign", "alert_verify", "alert_confirm"]) == []

    alert = alert_services.alert_assign(
        actor=township_cadre,
        alert=open_alert,
        version=open_alert.version,
        assignee_id=village_worker.pk,
    )
    assert kinds_of(township_cadre, kinds=["alert_assign", "alert_confirm"]) == []
    [task] = tasks_for(village_worker, kinds=["alert_verify"])
    assert task.url == f"/alerts/{alert.pk}/"
    assert kinds_of(township_cadre, kinds=["alert_verify"]) == []  # not assigned to them

    alert = alert_services.alert_verify(
        actor=village_worker, alert=alert, version=alert.version, result="true"
    )
    assert kinds_of(village_worker, kinds=["alert_verify"]) == []
    assert kinds_of(township_cadre, kinds=["alert_confirm"]) == ["alert_confirm"]
    assert kinds_of(county_officer, kinds=["alert_confirm"]) == ["alert_confirm"]
    assert kinds_of(other_township_cadre, kinds=["alert_confirm"]) == []

    alert_services.alert_confirm(actor=township_cadre, alert=alert, version=alert.version)
    assert kinds_of(township_cadre, kinds=["alert_confirm"]) == []
    assert kinds_of(county_officer, kinds=["alert_confirm"]) == []


def test_a_case_step_waits_for_the_role_that_takes_it_and_moves_on_when_decided(
    case,
    village_worker,
    township_cadre,
    county_officer,
    other_township_cadre,
    auditor,
    partner,
):
    # The household's consent comes first: the village's step.
    [task] = tasks_for(village_worker, kinds=["case_step"])
    assert task.url == f"/cases/{case.pk}/"
    assert "consent" not in task.title
    for nobody in (township_cadre, county_officer, other_township_cadre, auditor, partner):
        assert kinds_of(nobody, kinds=["case_step"]) == []

    step(village_worker, case, "consent")
    assert kinds_of(village_worker, kinds=["case_step"]) == []
    assert kinds_of(township_cadre, kinds=["case_step"]) == ["case_step"]  # information check


def test_a_village_worker_of_another_village_gets_no_step_of_this_one(case):
    neighbour = User.objects.create_user(
        username="neighbour",
        password="x-password-123",
        role=Role.VILLAGE_WORKER,
        region_id=OTHER_VILLAGE_SAME_TOWNSHIP,
    )
    assert kinds_of(neighbour, kinds=["case_step"]) == []


@pytest.fixture
def waiting_signal(db) -> Signal:
    sender = User.objects.create_user(
        username="township_system",
        password="test-password-123",
        role=Role.API_CLIENT,
        region_id=HOME_TOWNSHIP,
    )
    return Signal.objects.create(
        source="medical_insurance",
        external_id="wl-1",
        kind="large_medical_expense",
        id_number_masked="620423********0012",
        id_number_hash="0" * 64,
        occurred_on=datetime.date(2026, 2, 20),
        status=Signal.Status.UNMATCHED,
        received_by=sender,
    )


def test_an_unmatched_signal_waits_for_the_reviewers_of_its_region_until_resolved(
    waiting_signal,
    township_cadre,
    county_officer,
    other_township_cadre,
    village_worker,
    auditor,
    partner,
):
    [task] = tasks_for(township_cadre)
    assert task.kind == "signal_review"
    assert task.subject == "620423********0012"
    assert kinds_of(county_officer) == ["signal_review"]
    for nobody in (other_township_cadre, village_worker, auditor, partner):
        assert kinds_of(nobody) == []

    signal_services.signal_resolve(
        actor=township_cadre, signal=waiting_signal, resolution="迁出本县"
    )
    assert kinds_of(township_cadre) == []


@pytest.fixture
def enrolled_case(case, township_cadre, clock):
    """The case enrolled seven months ago, with a delivered measure."""
    enrolled_on = clock.today() - datetime.timedelta(days=215)
    type(case).objects.filter(pk=case.pk).update(
        status=CaseStatus.ENROLLED, enrolled_on=enrolled_on
    )
    Measure.objects.create(
        case=case,
        kind="health",
        title="大病医疗救助",
        responsible=township_cadre,
        created_by=township_cadre,
        planned_start=enrolled_on,
        planned_end=clock.today() + datetime.timedelta(days=20),
        status=MeasureStatus.DELIVERED,
    )
    case.refresh_from_db()
    return case


def test_an_elimination_check_becomes_possible_after_six_months_with_a_measure_delivered(
    enrolled_case,
    village_worker,
    township_cadre,
    county_officer,
    other_township_cadre,
    clock,
):
    [task] = tasks_for(township_cadre, kinds=["elimination_check"])
    assert task.url == f"/cases/{enrolled_case.pk}/#eligibility"  # the form is posted from there
    assert task.due_on == months_after(enrolled_case.enrolled_on, 6)
    assert not task.overdue  # possible from that day on, never late
    assert kinds_of(township_cadre, kinds=["elimination_check"], overdue=True) == []
    assert task_counts(township_cadre)["elimination_check"] == {"total": 1, "overdue": 0}
    assert kinds_of(village_worker, kinds=["elimination_check"]) == ["elimination_check"]
    for nobody in (county_officer, other_township_cadre):
        assert kinds_of(nobody, kinds=["elimination_check"]) == []

    # Five months only: not yet.
    type(enrolled_case).objects.filter(pk=enrolled_case.pk).update(
        enrolled_on=clock.today() - datetime.timedelta(days=150)
    )
    assert kinds_of(township_cadre, kinds=["elimination_check"]) == []


def test_overdue_tasks_come_before_an_elimination_possible_since_long_ago(
    enrolled_case, township_cadre, clock
):
    Household.objects.filter(pk=enrolled_case.household_id).update(
        next_visit_due=clock.today() - datetime.timedelta(days=1)
    )
    kinds = kinds_of(township_cadre, kinds=["visit_due", "elimination_check"])
    assert kinds == ["visit_due", "elimination_check"]


def test_the_elimination_check_goes_once_proposed(enrolled_case, township_cadre):
    type(enrolled_case).objects.filter(pk=enrolled_case.pk).update(
        status=CaseStatus.ELIMINATING, elimination_round=1
    )
    assert kinds_of(township_cadre, kinds=["elimination_check"]) == []


def test_a_measure_ending_within_thirty_days_is_its_responsible_cadres_until_recorded(
    enrolled_case,
    township_cadre,
    county_officer,
    village_worker,
    partner,
):
    measure = enrolled_case.measures.get()
    Measure.objects.filter(pk=measure.pk).update(status=MeasureStatus.IN_PROGRESS)
    [task] = tasks_for(township_cadre, kinds=["measure_ending"])
    assert task.url == f"/measures/{measure.pk}/"
    assert "大病医疗救助" in task.title
    for nobody in (county_officer, village_worker, partner):
        assert kinds_of(nobody, kinds=["measure_ending"]) == []
    Measure.objects.filter(pk=measure.pk).update(status=MeasureStatus.DELIVERED)
    assert kinds_of(township_cadre, kinds=["measure_ending"]) == []


def test_tasks_come_earliest_due_first_and_filters_narrow_them(
    household, village_worker, township_cadre, clock
):
    others = []
    for number, days in (("A", -3), ("B", 5), ("C", -10)):
        copy = Household.objects.create(
            number=f"6204231002000{number}",
            village_id=HOME_VILLAGE,
            poverty_status="ordinary",
            next_visit_due=clock.today() + datetime.timedelta(days=days),
        )
        others.append(copy)
    due = [task.due_on for task in tasks_for(village_worker)]
    assert due == sorted(due) and len(due) == 3
    assert [t.overdue for t in tasks_for(village_worker)] == [True, True, False]
    assert len(tasks_for(village_worker, overdue=True)) == 2
    assert len(tasks_for(village_worker, overdue=False)) == 1
    assert (
        len(tasks_for(village_worker, due_before=clock.today() - datetime.timedelta(days=5))) == 1
    )
    assert len(tasks_for(village_worker, kinds=["alert_verify"])) == 0
    assert len(tasks_for(township_cadre, region=HOME_VILLAGE)) == 3
    assert len(tasks_for(township_cadre, region=OTHER_VILLAGE_SAME_TOWNSHIP)) == 0
    assert tasks_for(village_worker, region="620421") == []  # another county: nothing
    assert task_counts(village_worker)["visit_due"] == {"total": 3, "overdue": 2}
    assert [t.due_on for t in tasks_for(village_worker, limit=1, offset=1)] == [due[1]]


def test_a_paired_household_waits_for_its_cadres_contact_until_one_is_logged(
    household, village_worker, township_cadre, other_township_cadre
):
    from pairings.services import contact_record, pairing_assign

    today = datetime.date.today()
    pairing_assign(
        actor=township_cadre,
        household_id=household.pk,
        cadre_id=village_worker.pk,
        started_on=today - datetime.timedelta(days=40),
    )
    [task] = [task for task in tasks_for(village_worker) if task.kind == "contact_due"]
    # Monthly by default: due 30 days after the pairing began, ten days ago.
    assert (task.due_on, task.overdue, task.days_overdue) == (
        today - datetime.timedelta(days=10),
        True,
        10,
    )
    assert task.url == f"/households/{household.pk}/contacts/new/"
    for other in (township_cadre, other_township_cadre):
        assert "contact_due" not in kinds_of(other)  # the pairing's cadre's, nobody else's

    contact_record(
        actor=village_worker,
        household_id=household.pk,
        kind="phone",
        contacted_on=today,
        summary="电话了解务工情况",
    )
    assert "contact_due" not in kinds_of(village_worker)


def test_a_referral_waits_for_the_partner_then_its_delivery_and_a_decline_returns_to_the_cadre(
    case, township_cadre, other_township_cadre, partner, partner_org
):
    from assistance.services.measures import MeasurePlan, measure_create
    from assistance.services.referrals import measure_accept, measure_decline

    def referral():
        return measure_create(
            actor=township_cadre,
            case=case,
            plan=MeasurePlan(
                kind="employment",
                title="枸杞基地季节工",
                responsible_id=township_cadre.pk,
                planned_start=case.proposed_on,
                partner_id=partner_org.pk,
            ),
        )

    accepted, declined = referral(), referral()
    [answer, _] = [task for task in tasks_for(partner) if task.kind == "referral_answer"]
    # A partner's task names the village, never the household.
    assert case.household.number not in answer.subject
    assert case.household.head_name not in answer.subject
    assert answer.url == f"/measures/{accepted.pk}/"
    assert "referral_answer" not in kinds_of(township_cadre)

    measure_accept(actor=partner, measure=accepted)
    measure_decline(actor=partner, measure=declined, reason="本月人手不足，无法承接")

    assert kinds_of(partner, kinds=["referral_answer"]) == []
    assert [task.url for task in tasks_for(partner, kinds=["delivery_due"])] == [
        f"/measures/{accepted.pk}/"
    ]
    [returned] = tasks_for(township_cadre, kinds=["referral_returned"])
    assert returned.url == f"/measures/{declined.pk}/"
    assert "referral_returned" not in kinds_of(other_township_cadre)


def test_a_delegated_step_waits_for_the_delegate_too(case, township_cadre, county_officer, clock):
    from assistance.services.delegations import delegation_create

    assert kinds_of(township_cadre, kinds=["case_step"]) == []  # the consent is the village's
    delegation_create(
        actor=county_officer,
        delegate_id=township_cadre.pk,
        permission="assistance.record_village_step",
        region_code=HOME_VILLAGE,
        starts_on=clock.today(),
        ends_on=clock.today() + datetime.timedelta(days=30),
        reason="本村暂无村级信息员",
    )
    [task] = tasks_for(township_cadre, kinds=["case_step"])
    assert task.url == f"/cases/{case.pk}/"


def test_a_mention_waits_until_answered_in_the_thread(
    case, township_cadre, county_officer, other_township_cadre
):
    from assistance.services.comments import comment_post

    comment_post(actor=county_officer, case=case, text="@township_cadre 请核实务工收入。")
    [task] = tasks_for(township_cadre, kinds=["mention"])
    assert task.url == f"/cases/{case.pk}/"
    assert "county_officer" in task.title
    assert kinds_of(other_township_cadre, kinds=["mention"]) == []
    assert kinds_of(county_officer, kinds=["mention"]) == []

    comment_post(actor=township_cadre, case=case, text="已核实，本月务工收入正常。")
    assert kinds_of(township_cadre, kinds=["mention"]) == []


def test_a_mention_names_its_author_as_people_read_the_name(case, township_cadre, county_officer):
    from assistance.services.comments import comment_post

    User.objects.filter(pk=county_officer.pk).update(first_name="王", last_name="县长")
    county_officer.refresh_from_db()
    comment_post(actor=county_officer, case=case, text="@township_cadre 请核实务工收入。")
    [task] = tasks_for(township_cadre, kinds=["mention"])
    assert county_officer.display_name in task.title
    assert "county_officer" not in task.title


def test_a_claimed_need_waits_for_a_cadre_to_confirm_it_and_goes_once_confirmed(
    case, township_cadre, other_township_cadre, village_worker, partner, partner_org
):
    from assistance.services import needs as need_services
    from assistance.services.needs import NeedData

    need = need_services.need_publish(
        actor=township_cadre,
        data=NeedData.from_data(
            {
                "case": case.pk,
                "kind": "industry",
                "quantity": "2吨",
                "needed_by": case.proposed_on + datetime.timedelta(days=20),
                "description": "冬季牛羊饲草料",
            }
        ),
    )
    assert "claim_confirm" not in kinds_of(township_cadre)  # open on the board, nobody's yet
    need = need_services.need_claim(actor=partner, need=need)
    [claim] = tasks_for(township_cadre, kinds=["claim_confirm"])
    assert partner_org.name in claim.title and claim.url == f"/cases/{case.pk}/"
    assert "claim_confirm" not in kinds_of(other_township_cadre)
    assert "claim_confirm" not in kinds_of(partner)  # its claim is the cadre's to confirm
    need_services.need_confirm(actor=township_cadre, need=need, version=need.version)
    assert "claim_confirm" not in kinds_of(township_cadre)


def test_warnings_to_assign_page_in_due_order_whatever_the_hour_they_opened(township_cadre, clock):
    """A page of warnings is cut from a walk by the day they opened (kinds.WALK, the index
    alert_open_by_day), not from a sort by due date: the two orders must be one. The day is the
    county's (23:30 and 00:30 the next morning are a day apart), and within a day the warning
    of the lower number leads, whatever the hour it opened."""
    county_time = zoneinfo.ZoneInfo("Asia/Shanghai")
    first_day = datetime.datetime.combine(
        clock.today() - datetime.timedelta(days=5), datetime.time(), county_time
    )
    alerts = []
    for index, hours in enumerate((47.5, 23.5, 24.5, 0.5, 23.9, 47.9, 0.2)):
        household = Household.objects.create(
            number=f"62042310020009{index:02d}", village_id=HOME_VILLAGE, poverty_status="ordinary"
        )
        alerts.append(
            Alert.objects.create(
                household=household,
                source="rules",
                level="high",
                opened_at=first_day + datetime.timedelta(hours=hours),
            )
        )
    in_due_order = sorted(
        alerts, key=lambda alert: (alert.opened_at.astimezone(county_time).date(), alert.pk)
    )
    expected = [f"/alerts/{alert.pk}/" for alert in in_due_order]
    whole = tasks_for(township_cadre, kinds=["alert_assign"])
    assert [task.url for task in whole] == expected
    paged = [
        task
        for offset in range(len(alerts))
        for task in tasks_for(township_cadre, kinds=["alert_assign"], limit=2, offset=offset)[:1]
    ]
    assert [task.url for task in paged] == expected
    assert [task.due_on for task in whole] == [
        alert.opened_at.astimezone(county_time).date() + datetime.timedelta(days=2)
        for alert in in_due_order
    ]
