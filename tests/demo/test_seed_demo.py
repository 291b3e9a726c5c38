import datetime

import pytest
from django.core.management import call_command

from accounts.models import User
from assistance.models import Case, Partner, PartnerOffer
from core import id_numbers
from demo import households as demo
from households.models import Household, Member
from monitoring.models import ScanRun, Visit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

VILLAGES = [("620423100200", "水源村"), ("620423100201", "石门村")]
UNTIL = datetime.date(2026, 11, 23)


def test_the_same_seed_gives_the_same_county():
    first = list(demo.generate(villages=VILLAGES, households=50, seed=7, until=UNTIL))
    again = list(demo.generate(villages=VILLAGES, households=50, seed=7, until=UNTIL))
    other = list(demo.generate(villages=VILLAGES, households=50, seed=8, until=UNTIL))
    assert first == again
    assert first != other


def test_every_generated_id_number_is_valid_and_unique():
    households = list(demo.generate(villages=VILLAGES, households=300, seed=3, until=UNTIL))
    numbers = [member.id_number for household in households for member in household.members]
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        checked = id_numbers.check_id_number(number, today=datetime.date(2026, 11, 23))
        assert checked.number == number


def test_the_demo_county_looks_like_a_county():
    households = list(demo.generate(villages=VILLAGES, households=2000, seed=1, until=UNTIL))
    members = [member for household in households for member in household.members]
    lifted = sum(household.poverty_status == "lifted_out" for household in households)
    assert 0.18 < lifted / len(households) < 0.35
    assert 2.8 < len(members) / len(households) < 4.5
    assert all(sum(m.relation == "head" for m in h.members) == 1 for h in households)
    chronic = sum(member.health != "healthy" for member in members) / len(members)
    assert 0.05 < chronic < 0.3
    assert any(member.labour == "none" for member in members)


def test_seed_demo_fills_an_empty_registry_with_accounts_and_households():
    call_command("seed_demo", "--households", "300", "--seed", "2", verbosity=0)
    assert Household.objects.count() == 300
    assert Visit.objects.count() >= 300
    assert ScanRun.objects.get().households_judged == 300
    latest = Visit.objects.filter(household=Household.objects.order_by("id").first()).first()
    assert latest.per_capita_income == latest.household.per_capita_income
    assert Member.objects.count() >= 600
    assert set(User.objects.values_list("username", flat=True)) >= {
        "county",
        "township",
        "township2",
        "village",
        "partner",
        "auditor",
        "api",
    }
    # Partners with offers (and the cooperative of demo/livelihoods.py), the demo partner account
    # working for one, and cases at every stage.
    assert Partner.objects.count() == 8 and PartnerOffer.objects.count() == 5
    # Livelihoods: a year of work, posts with their pay, enterprise links and claims.
    from livelihoods.models import IndustrySupport, InsuranceClaim, PostPayment, WorkRecord

    assert WorkRecord.objects.count() > 500 and PostPayment.objects.exists()
    assert IndustrySupport.objects.filter(partner__name="景泰县恒达农业有限公司").exists()
    assert InsuranceClaim.objects.filter(status="paid").exists()
    assert User.objects.get(username="partner").partner.name == "景泰县恒达农业有限公司"
    # The enrolled case with measures (the outcomes' re-entered households have none).
    enrolled = Case.objects.filter(status="enrolled", measures__isnull=False).distinct().get()
    assert enrolled.steps.filter(decision="").count() == 0
    assert enrolled.measures.filter(status="delivered").exists()
    assert Case.objects.filter(status="identifying").exists()
    # The enrolled household is visited monthly, as the rule visit_overdue counts (issue 16).
    monitored = Household.objects.get(pk=enrolled.household_id)
    since = monitored.last_visit_on or monitored.created_at.astimezone(datetime.UTC).date()
    assert monitored.is_monitored
    assert monitored.next_visit_due == since + datetime.timedelta(days=30)
    # Paired cadres with contacts, and one household handed over with its log kept.
    from pairings.models import Contact, Pairing

    worker = User.objects.get(username="village")
    assert Pairing.objects.filter(cadre=worker, ended_on__isnull=True).count() >= 3
    assert Pairing.objects.filter(end_reason="rotation").count() == 1
    assert Contact.objects.filter(cadre=worker).exists()
    # A referral the charity declined, one waiting for the demo partner, a claimed need.
    assert enrolled.measures.filter(referral_status="declined").exclude(decline_reason="").exists()
    waiting = enrolled.measures.filter(referral_status="pending")
    assert waiting.filter(partner__users__username="partner").exists()
    assert enrolled.needs.filter(status="claimed", claimed_by__users__username="partner").exists()
    household = Household.objects.order_by("id").first()
    assert household.head_name == household.members.get(relation="head").name
    # Every persona who works a task list opens it on something to do (issue 17).
    from worklist.selectors import task_counts

    for username in ("county", "township", "village", "partner"):
        counts = task_counts(User.objects.get(username=username))
        assert sum(counted["total"] for counted in counts.values()), username
    county_tasks = task_counts(User.objects.get(username="county"))
    assert county_tasks["signal_review"]["total"] == 1
    # Outcomes (issue 20): cases eliminated 6 to 18 months ago with their visits, job measures
    # with work recorded after them, and a household back under monitoring within the year.
    from django.utils import timezone

    from outcomes.selectors import outcomes_get

    county = User.objects.get(username="county")
    outcomes = outcomes_get(county, region=county.region, today=timezone.localdate())
    assert outcomes.summary.eliminated >= 10 and outcomes.summary.known_12 >= 3
    assert outcomes.summary.median_change_12 > 0 and outcomes.summary.reentered >= 1
    assert outcomes.summary.jobs[0].working >= 1 and outcomes.summary.jobs[1].not_recorded >= 1
    # A finished backtest the county officer can open, A beside B, over past enrolments.
    from backtests.models import BacktestRun

    backtest = BacktestRun.objects.get()
    assert backtest.status == "done" and backtest.proposed
    assert backtest.figures["enrolments"] > 0
    assert backtest.figures["configs"]["A"]["all"]["undecided"] == 0
    assert client_for(worker).get(f"/backtests/{backtest.pk}/").status_code == 403
    county = User.objects.get(username="county")
    assert client_for(county).get(f"/backtests/{backtest.pk}/").status_code == 200
    # A second run leaves the registry alone.
    call_command("seed_demo", "--if-empty", "--households", "300", "--seed", "3", verbosity=0)
    assert Household.objects.count() == 300


def test_the_demo_county_has_visits_and_some_risk():
    households = list(demo.generate(villages=VILLAGES, households=1000, seed=1, until=UNTIL))
    visits = [visit for household in households for visit in household.visits]
    assert 2 <= len(visits) / len(households) <= 6
    assert all(visit.visited_on <= UNTIL for visit in visits)
    poor = sum(1 for h in households if h.visits and h.visits[-1].per_capita_income < 7600)
    assert 0.01 < poor / len(households) < 0.3


def test_the_demo_delegation_lets_the_enrolled_case_move_to_risk_elimination():
    """Issue 17: the enrolled case's village has no village-worker account; the demo's delegation
    of its village steps to the township cadre lets the case go through elimination."""
    import time_machine
    from django.utils import timezone

    from assistance.models import CaseMention, Delegation
    from assistance.services import cases as case_services

    call_command("seed_demo", "--households", "300", "--seed", "2", verbosity=0)
    # The enrolled case with measures (the outcomes' re-entered households have none).
    enrolled = Case.objects.filter(status="enrolled", measures__isnull=False).distinct().get()
    township, county = User.objects.get(username="township"), User.objects.get(username="county")
    assert not User.objects.filter(
        role="village_worker", region_id=enrolled.household.village_id
    ).exists()
    delegation = Delegation.objects.get(delegate=township)
    assert delegation.region_id == enrolled.household.village_id
    assert delegation.delegator == county and delegation.permission.endswith("village_step")
    assert enrolled.comments.count() == 2
    assert CaseMention.objects.filter(user=township, comment__case=enrolled).exists()

    def act(actor, kind, **extra):
        enrolled.refresh_from_db()
        return case_services.case_step_record(
            actor=actor,
            case=enrolled,
            version=enrolled.version,
            kind=kind,
            decision="approved",
            **extra,
        )

    case_services.case_elimination_propose(actor=township, case=enrolled, version=enrolled.version)
    act(township, "home_verification")
    act(township, "deliberation")
    enrolled.refresh_from_db()
    today = timezone.localdate()
    case_services.case_notice_post(
        actor=township,
        case=enrolled,
        version=enrolled.version,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=4),
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=5), tick=False):
        act(township, "notice")
        act(township, "township_review")
        act(county, "county_approval")
    enrolled.refresh_from_db()
    assert enrolled.status == "eliminated"
    taken = enrolled.steps.filter(phase="elimination", kind__in=["home_verification", "notice"])
    assert {step.delegation_id for step in taken} == {delegation.pk}
