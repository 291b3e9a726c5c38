"""Two people at the same moment, on real connections: one wins, the other is told, nothing is
written twice or half."""

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Role, User
from assistance.models import Case, CaseStep
from assistance.services import cases as case_services
from assistance.services import measures as measure_services
from assistance.services.measures import MeasurePlan
from core.errors import EditConflict
from tests import workers
from tests.conftest import HOME_VILLAGE, client_for, committed_db


def _at_once(work, times=2) -> list:
    return workers.at_once(work, times=times)


@committed_db
def test_two_proposals_for_one_household_at_once_open_one_case(household, township_cadre):
    results = _at_once(
        lambda: case_services.case_propose(
            actor=township_cadre,
            household_id=household.pk,
            origin="cadre",
            category="sudden_hardship",
            risk_types=["illness"],
            situation="两位干部同时提议",
        )
    )
    assert Case.objects.filter(household=household).count() == 1
    assert CaseStep.objects.filter(case__household=household).count() == 7
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and refused[0].code == "case_exists"


@committed_db
def test_two_workers_recording_the_same_step_at_once_one_wins(case, village_worker):
    seen = case.version
    results = _at_once(
        lambda: case_services.case_step_record(
            actor=village_worker, case=case, version=seen, kind="consent", decision="approved"
        )
    )
    assert sum(isinstance(r, Case) for r in results) == 1
    assert sum(isinstance(r, EditConflict) for r in results) == 1
    case.refresh_from_db()
    assert case.version == seen + 1
    assert case.steps.filter(kind="consent").exclude(decision="").count() == 1


# Through the page and the API, and the measure edit path ---------------------------------------

CASE_CONFLICT = "Someone else acted on this case while you were looking at it. Reload it and check."


def _translated(message: str) -> str:
    with translation.override("zh-hans"):
        translated = gettext(message)
    assert translated != message  # really translated
    return translated


@pytest.fixture
def second_village_worker(db):
    return User.objects.create_user(
        username="second_village_worker",
        password="test-password-123",
        role=Role.VILLAGE_WORKER,
        region_id=HOME_VILLAGE,
    )


def _recorded_once(case: Case, seen: int) -> None:
    case.refresh_from_db()
    assert case.version == seen + 1
    assert case.steps.filter(kind="consent").exclude(decision="").count() == 1


@committed_db
def test_two_workers_posting_the_same_step_page_at_once_one_is_told_to_reload(
    case, village_worker, second_village_worker
):
    seen = case.version
    clients = [client_for(village_worker), client_for(second_village_worker)]
    step = {"version": seen, "decision": "approved", "comment": ""}

    responses = _at_once(lambda: clients.pop().post(f"/cases/{case.pk}/steps/consent/", step))

    assert sorted(r.status_code for r in responses) == [302, 400], responses
    refused = next(r for r in responses if r.status_code == 400)
    assert _translated(CASE_CONFLICT) in refused.content.decode()
    _recorded_once(case, seen)


@committed_db
def test_two_workers_posting_the_same_step_through_the_api_at_once_one_gets_409(
    case, village_worker, second_village_worker
):
    seen = case.version
    clients = [client_for(village_worker), client_for(second_village_worker)]

    responses = _at_once(
        lambda: clients.pop().post(
            f"/api/v1/cases/{case.pk}/consent/",
            {"version": seen, "decision": "approved"},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    )

    assert sorted(r.status_code for r in responses) == [200, 409], responses
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["errors"][0]["detail"] == _translated(CASE_CONFLICT)
    _recorded_once(case, seen)


@committed_db
def test_two_cadres_changing_the_same_measure_at_once_one_is_refused(
    case, township_cadre, county_officer
):
    first_plan = MeasurePlan(
        kind="employment",
        title="枸杞基地季节工",
        responsible_id=township_cadre.pk,
        planned_start=case.proposed_on,
    )
    measure = measure_services.measure_create(actor=township_cadre, case=case, plan=first_plan)
    seen = measure.version
    changes = {
        "title": {"title": "县城物流园装卸岗位"},
        "amount": {"planned_amount": Decimal("3000")},
    }
    takers = [("title", township_cadre), ("amount", county_officer)]

    def change():
        label, actor = takers.pop()
        plan = dataclasses.replace(first_plan, **changes[label])
        measure_services.measure_update(actor=actor, measure=measure, version=seen, plan=plan)
        return label

    results = _at_once(change)

    assert sum(isinstance(r, EditConflict) for r in results) == 1, results
    winner = next(r for r in results if isinstance(r, str))
    measure.refresh_from_db()
    assert measure.version == seen + 1
    expected = {"title": "枸杞基地季节工", "planned_amount": None, **changes[winner]}
    assert {"title": measure.title, "planned_amount": measure.planned_amount} == expected
