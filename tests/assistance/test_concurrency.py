"""Two people at the same moment, on real connections: one wins, the other is told, nothing is
written twice or half."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection

from assistance.models import Case, CaseStep
from assistance.services import cases as case_services
from config.exceptions import EditConflict
from tests.conftest import committed_db


def _at_once(work, times=2) -> list:
    results, barrier = [], threading.Barrier(times)

    def run():
        try:
            barrier.wait()
            results.append(work())
        except (ValidationError, EditConflict) as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@committed_db
def test_two_proposals_for_one_household_at_once_open_one_case(household, township_cadre):
    results = _at_once(
        lambda: case_services.case_propose(
            actor=township_cadre,
            household_id=household.pk,
            origin="cadre",
            category="marginal",
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
