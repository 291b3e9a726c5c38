"""One next-visit date (issue 16): the household's `next_visit_due`, the visit lists, the
dashboard's overdue count and the rule `visit_overdue` agree for every kind of household, and
the date follows every change it depends on (a status, a cadence set by the county)."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from accounts.models import User
from dashboards.models import Figure
from dashboards.refresh import figures_refresh
from households import services as household_services
from households.models import Household
from monitoring import scans, selectors, tasks
from monitoring.models import ScanRun, VisitCadence
from monitoring.services.policy import visit_cadence_save
from tests.conftest import HOME_COUNTY, HOME_VILLAGE, OTHER_COUNTY, client_for
from tests.monitoring.conftest import REGISTERED, TODAY, record

pytestmark = pytest.mark.django_db

VISITED = TODAY - datetime.timedelta(days=1)
GRACE = datetime.timedelta(days=15)  # visit_overdue's default
DAY = datetime.timedelta(days=1)

# kind: (what makes the household that kind, its cadence)
KINDS = {
    "monitored": ({"is_monitored": True}, 30),
    "eliminated": ({"risk_eliminated_on": datetime.date(2026, 5, 1)}, 60),
    "lifted_out": ({}, 90),  # the shared household is lifted out
    "ordinary": ({"poverty_status": "ordinary", "poverty_exit_year": None}, 365),
    "county_cadence": ({}, 45),  # the county visits its lifted-out households more often
}


@pytest.fixture
def county_admin(db):
    """A system administrator of the home county: the one who may set cadences."""
    return User.objects.create_user(
        username="county_admin",
        password="test-password-123",
        region_id=HOME_COUNTY,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def queued_chunks(monkeypatch):
    """The scans' chunks, kept to be run as a worker would (tasks are never eager in tests)."""
    queued = []

    def keep(name, args, queue):
        queued.append(args)

    monkeypatch.setattr(scans, "enqueue_after_commit", keep)
    return queued


def run_queued(queued: list) -> None:
    while queued:
        tasks.scan_chunk(*queued.pop(0))


def evaluate(household, as_of=TODAY) -> Household:
    scans.evaluate_one(household.pk, as_of=as_of)
    household.refresh_from_db()
    return household


def overdue_on_dashboard(as_of: datetime.date) -> int:
    figures_refresh(as_of=as_of)
    rows = Figure.objects.filter(region_code=HOME_VILLAGE, metric="overdue_visits", month=None)
    return rows.aggregate(total=Sum("value"))["total"] or 0


def overdue_reason(household, as_of: datetime.date) -> dict | None:
    household = evaluate(household, as_of)
    return next((r for r in household.risk_reasons if r["code"] == "visit_overdue"), None)


@pytest.mark.parametrize("kind", KINDS)
def test_the_lists_the_dashboard_and_the_rule_agree_on_the_due_date(
    kind, village_worker, household
):
    changes, days = KINDS[kind]
    if kind == "county_cadence":
        VisitCadence.objects.create(region_id=HOME_COUNTY, kind="lifted_out", days=days)
    Household.objects.filter(pk=household.pk).update(**changes)
    record(village_worker, household, visited_on=VISITED)
    due = VISITED + datetime.timedelta(days=days)
    household.refresh_from_db()
    assert household.next_visit_due == due  # written with the visit
    assert evaluate(household).next_visit_due == due  # and the evaluation writes the same

    assert household in selectors.visits_due(village_worker, today=due)
    assert household not in selectors.visits_overdue(village_worker, today=due)
    assert household in selectors.visits_overdue(village_worker, today=due + DAY)
    assert overdue_on_dashboard(due) == 0
    assert overdue_on_dashboard(due + DAY) == 1
    # The rule gives the same day its grace, then fires, naming the day.
    assert overdue_reason(household, due + GRACE) is None
    reason = overdue_reason(household, due + GRACE + DAY)
    assert reason["evidence"]["due_on"] == due.isoformat()
    assert reason["evidence"]["overdue_days"] == 1
    assert household.next_visit_due == due


def test_a_never_visited_household_is_due_a_cadence_after_its_registration(household):
    assert household.next_visit_due is None  # not judged yet
    due = REGISTERED.date() + datetime.timedelta(days=90)
    assert evaluate(household).next_visit_due == due
    assert overdue_reason(household, TODAY)["evidence"]["due_on"] == due.isoformat()


def test_a_status_change_moves_the_due_date(village_worker, township_cadre, household):
    record(village_worker, household, visited_on=VISITED)
    assert evaluate(household).next_visit_due == VISITED + datetime.timedelta(days=90)
    household_services.household_update(
        actor=township_cadre,
        household=household,
        version=household.version,
        poverty_status="ordinary",
        poverty_exit_year=None,
    )
    household.refresh_from_db()
    assert household.evaluation_pending_since is not None  # the change asks for an evaluation
    assert evaluate(household).next_visit_due == VISITED + datetime.timedelta(days=365)


def test_a_cadence_set_by_the_county_refreshes_its_households_due_dates(
    county_admin, village_worker, household, other_township_household, queued_chunks
):
    record(village_worker, household, visited_on=VISITED)
    evaluate(household)
    ordinary_due = evaluate(other_township_household).next_visit_due
    assert ordinary_due == REGISTERED.date() + datetime.timedelta(days=365)

    cadence = visit_cadence_save(
        actor=county_admin, region_code=HOME_COUNTY, kind="lifted_out", days=45
    )
    assert (cadence.region_id, cadence.kind, cadence.days) == (HOME_COUNTY, "lifted_out", 45)
    run = ScanRun.objects.get(trigger=ScanRun.Trigger.CADENCE)
    assert run.scope == "620423" and run.started_by == county_admin
    run_queued(queued_chunks)
    household.refresh_from_db()
    other_township_household.refresh_from_db()
    assert household.next_visit_due == VISITED + datetime.timedelta(days=45)
    assert other_township_household.next_visit_due == ordinary_due  # another kind: unchanged
    assert household in selectors.visits_overdue(village_worker, today=VISITED + 46 * DAY)

    # Set again: the same row changes, and the dates follow once more.
    visit_cadence_save(actor=county_admin, region_code=HOME_COUNTY, kind="lifted_out", days=60)
    run_queued(queued_chunks)
    assert VisitCadence.objects.get(region_id=HOME_COUNTY, kind="lifted_out").days == 60
    household.refresh_from_db()
    assert household.next_visit_due == VISITED + datetime.timedelta(days=60)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"days": 0}, ValidationError),
        ({"days": 3651}, ValidationError),
        ({"days": "30"}, ValidationError),
        ({"kind": "poor"}, ValidationError),
        ({"region_code": OTHER_COUNTY[:6] + "100000"}, ValidationError),  # a township
    ],
)
def test_a_bad_cadence_is_refused_and_nothing_is_written(county_admin, changes, error):
    arguments = {"region_code": HOME_COUNTY, "kind": "monitored", "days": 20, **changes}
    with pytest.raises(error):
        visit_cadence_save(actor=county_admin, **arguments)
    assert not VisitCadence.objects.exists() and not ScanRun.objects.exists()


def test_a_county_officer_sets_the_countys_cadence(county_officer):
    cadence = visit_cadence_save(
        actor=county_officer, region_code=HOME_COUNTY, kind="monitored", days=20
    )
    assert (cadence.region_id, cadence.days) == (HOME_COUNTY, 20)
    assert ScanRun.objects.filter(trigger="cadence").exists()


@pytest.mark.parametrize("persona", ["township_cadre", "village_worker"])
def test_only_who_may_change_cadences_sets_one(request, persona):
    with pytest.raises(PermissionDenied):
        visit_cadence_save(
            actor=request.getfixturevalue(persona),
            region_code=HOME_COUNTY,
            kind="monitored",
            days=20,
        )
    with pytest.raises(PermissionDenied):
        visit_cadence_save(
            actor=AnonymousUser(), region_code=HOME_COUNTY, kind="monitored", days=20
        )
    assert not VisitCadence.objects.exists() and not ScanRun.objects.exists()


def test_a_cadence_saved_in_the_admin_goes_through_the_service(county_admin):
    response = client_for(county_admin).post(
        "/admin/monitoring/visitcadence/add/",
        {"region": HOME_COUNTY, "kind": "monitored", "days": "20", "_save": "1"},
    )
    assert response.status_code == 302
    assert VisitCadence.objects.get(region_id=HOME_COUNTY, kind="monitored").days == 20
    assert ScanRun.objects.filter(trigger=ScanRun.Trigger.CADENCE, scope="620423").exists()
