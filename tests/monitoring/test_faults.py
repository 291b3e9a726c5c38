"""Faults of the broker, the database and the network: a visit saved while Redis is down is kept
and judged once it is back; a task whose database connection is cut retries and writes its
result once; a visit sent five times at once is one visit."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.errors import EditConflict
from households.models import Household
from monitoring.models import Alert, AlertEvent, Visit
from monitoring.scans import evaluate_one
from monitoring.services.alerts import alert_dismiss
from monitoring.tasks import evaluate_household, evaluate_pending
from tests import workers
from tests.conftest import client_for, committed_db
from tests.monitoring.conftest import TODAY, poor_figures, record

pytestmark = committed_db


@pytest.fixture
def own_broker(tmp_path, monkeypatch):
    with workers.broker_of_our_own(tmp_path, monkeypatch) as redis:
        worker = workers.start_worker(tmp_path / "worker.log", broker_url=redis.url, concurrency=1)
        yield redis
        workers.end_worker(worker)


def test_a_visit_saved_while_redis_is_down_is_kept_and_judged_after_it_returns(
    own_broker, village_worker, household
):
    own_broker.stop()
    client = client_for(village_worker)
    page = client.get(f"/visits/new/?household={household.pk}")
    form = {
        "household": household.pk,
        "client_uuid": page.context["form"].initial["client_uuid"],
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        **{k: str(v) for k, v in poor_figures(visited_on=TODAY).items()},
    }
    response = client.post("/visits/new/", form)
    assert response.status_code == 302
    assert Visit.objects.filter(household=household).count() == 1
    assert Household.objects.get(pk=household.pk).evaluation_pending_since is not None
    assert not Alert.objects.exists()

    own_broker.start()
    evaluate_pending.apply_async()  # what beat sends every five minutes
    alert = workers.wait_for(
        lambda: Alert.objects.filter(household=household).first(), message="the sweep"
    )
    assert "income_below_line" in alert.reason_codes
    assert Household.objects.get(pk=household.pk).evaluation_pending_since is None


def test_a_task_whose_database_connection_is_cut_retries_and_writes_its_result_once(
    tmp_path, monkeypatch, village_worker, household
):
    with workers.broker_of_our_own(tmp_path, monkeypatch):
        record(village_worker, household, **poor_figures(visited_on=TODAY))
        workers.purge_queues()  # the visit's own request: the test sends it below, at its time
        worker = workers.start_worker(
            tmp_path / "worker.log", concurrency=1, queues="interactive", broker_url=None
        )
        try:
            # The task waits on the household's row, so its connection is cut mid-transaction.
            with workers.row_locked("households_household", household.pk):
                evaluate_household.apply_async([household.pk, TODAY.isoformat()])
                cut = workers.wait_for(
                    workers.worker_backends_waiting_on_a_lock, message="the task at work"
                )
                workers.terminate_backend(cut[0])
                workers.wait_for(
                    lambda: set(workers.worker_backends_waiting_on_a_lock()) - set(cut),
                    message="the retry, on a new connection",
                )
            workers.wait_for(
                lambda: Household.objects.get(pk=household.pk).evaluation_pending_since is None,
                message="the retried task",
            )
        finally:
            workers.stop_worker(worker)
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "Retry in" in log and log.count("succeeded in") == 1, log[-3000:]
    alert = Alert.objects.get(household=household)
    assert alert.status == "open" and "income_below_line" in alert.reason_codes
    assert list(AlertEvent.objects.values_list("action", flat=True)) == ["opened"]
    assert Household.objects.get(pk=household.pk).risk_level == "high"


def _visit_form(household, client_uuid) -> dict:
    return {
        "household": household.pk,
        "client_uuid": client_uuid,
        "notes": "",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        **{k: str(v) for k, v in poor_figures(visited_on=TODAY).items()},
    }


def test_a_visit_posted_five_times_at_once_through_the_page_is_one_visit(village_worker, household):
    """A phone that lost its signal sends the form again and again: every send is answered with
    the visit, none with an error, and the household has one visit."""
    client_uuid = client_for(village_worker).get(f"/visits/new/?household={household.pk}")
    form = _visit_form(household, client_uuid.context["form"].initial["client_uuid"])
    clients = [client_for(village_worker) for _ in range(5)]

    responses = workers.at_once(lambda: clients.pop().post("/visits/new/", form), times=5)

    assert [getattr(r, "status_code", r) for r in responses] == [302] * 5
    visit = Visit.objects.get(household=household)
    assert {r["Location"] for r in responses} == {f"/visits/{visit.pk}/"}


def test_a_visit_posted_five_times_at_once_through_the_api_is_one_visit(village_worker, household):
    body = {
        **{k: v if isinstance(v, bool) else str(v) for k, v in poor_figures().items()},
        "household": household.pk,
        "client_uuid": str(uuid.uuid4()),
    }

    def post():
        client = APIClient()
        client.force_authenticate(village_worker)
        return client.post("/api/v1/visits/", body, format="json")

    responses = workers.at_once(post, times=5)

    assert sorted(getattr(r, "status_code", r) for r in responses) == [200, 200, 200, 200, 201]
    visit = Visit.objects.get(household=household)
    assert {r.json()["id"] for r in responses} == {visit.pk}


def _in_thread(work) -> tuple[threading.Thread, list]:
    """Start `work` on a connection of its own; the list gets its result or its exception."""
    outcome: list = []

    def run():
        try:
            outcome.append(work())
        except Exception as error:  # asserted on by the test
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_cadre_dismissing_a_warning_while_the_rules_judge_its_household_is_not_overwritten(
    tmp_path, monkeypatch, village_worker, township_cadre, household
):
    """The rules read a household's warning, then write it; a cadre's dismissal committed in
    between would be overwritten by the rules' older copy. The cadre waits for the judgement
    instead, and is told the warning changed."""
    with workers.broker_of_our_own(tmp_path, monkeypatch):  # no worker: the test judges
        record(village_worker, household, **poor_figures(visited_on=TODAY - timedelta(days=10)))
        evaluate_one(household.pk, as_of=TODAY)
        alert = Alert.objects.get(household=household)
        seen = alert.version
        record(village_worker, household, visited_on=TODAY)  # fine again: the rules resolve it

        with workers.writes_held("households_household"):
            judging, judged = _in_thread(lambda: evaluate_one(household.pk, as_of=TODAY))
            workers.wait_for(
                lambda: workers.worker_backends_waiting_on_a_lock("dixian-web"),
                message="the rules paused between reading and writing",
            )
            dismissing, dismissed = _in_thread(
                lambda: alert_dismiss(
                    actor=township_cadre, alert=alert, version=alert.version, reason="已核实"
                )
            )
            workers.wait_for(
                lambda: (
                    dismissed or len(workers.worker_backends_waiting_on_a_lock("dixian-web")) == 2
                ),
                message="the dismissal done or waiting",
            )
        judging.join()
        dismissing.join()

    assert judged[0].resolved == 1, judged
    assert isinstance(dismissed[0], EditConflict), dismissed
    alert.refresh_from_db()
    assert (alert.status, alert.version) == ("resolved", seen + 1)
    assert list(
        AlertEvent.objects.filter(alert=alert).order_by("pk").values_list("action", flat=True)
    ) == [
        "opened",
        "auto_resolved",
    ]


def test_a_task_running_while_redis_restarts_is_completed_and_the_worker_goes_on(
    tmp_path, monkeypatch, village_worker, household
):
    with workers.broker_of_our_own(tmp_path, monkeypatch) as redis:
        record(village_worker, household, **poor_figures(visited_on=TODAY - timedelta(days=10)))
        workers.purge_queues()  # the visit's own request: the test sends it below, at its time
        worker = workers.start_worker(tmp_path / "worker.log", concurrency=1, queues="interactive")
        try:
            with workers.row_locked("households_household", household.pk):
                evaluate_household.apply_async([household.pk, TODAY.isoformat()])
                workers.wait_for(
                    workers.worker_backends_waiting_on_a_lock, message="the task at work"
                )
                redis.stop()  # the worker's broker connection drops under the running task
                redis.start()
            workers.wait_for(
                lambda: Alert.objects.filter(household=household).exists(),
                message="the task finished after Redis came back",
            )
            # The worker is back on the broker: the next visit's evaluation is taken and done.
            workers.reset_app_connections()
            record(village_worker, household, visited_on=TODAY)
            workers.wait_for(
                lambda: Alert.objects.filter(household=household, status="resolved").exists(),
                message="the next task, after the restart",
                timeout=120,
            )
        finally:
            workers.stop_worker(worker)
    assert Household.objects.get(pk=household.pk).evaluation_pending_since is None
