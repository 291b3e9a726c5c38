"""Through the queue: a real worker on the real broker judges what the web side commits."""

from django.utils import timezone

from households import services as household_services
from households.models import Household
from monitoring import scans
from monitoring.models import Alert, ScanRun
from monitoring.tasks import evaluate_pending
from tests import workers
from tests.conftest import client_for, committed_db
from tests.monitoring.conftest import TODAY, poor_figures, record
from tests.workers import wait_for

pytestmark = committed_db


def test_a_visit_saved_through_the_page_is_judged_by_the_worker(
    celery_worker, village_worker, household
):
    client = client_for(village_worker)
    page = client.get(f"/visits/new/?household={household.pk}")
    client_uuid = page.context["form"].initial["client_uuid"]
    figures = {k: str(v) for k, v in poor_figures(visited_on=TODAY).items()}
    form = {
        "household": household.pk,
        "client_uuid": client_uuid,
        "notes": "",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        **figures,
    }
    response = client.post("/visits/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    alert = wait_for(lambda: Alert.objects.filter(household=household).first(), message="the alert")
    assert "income_below_line" in alert.reason_codes
    household.refresh_from_db()
    assert household.evaluation_pending_since is None and household.risk_level == "high"


def _alerts():
    return sorted(
        Alert.objects.values_list("household_id", "status", "level", "score", "reason_codes")
    )


def test_scans_through_the_worker_twice_and_at_once_leave_the_same_alerts(
    celery_worker, village_worker, township_cadre, household
):
    for index in range(12):
        extra = household_services.household_create(
            actor=township_cadre, village_code="620423100200", poverty_status="ordinary"
        )

        Household.objects.filter(pk=extra.pk).update(created_at=household.created_at)
        extra.refresh_from_db()
        figures = poor_figures(visited_on=TODAY) if index % 3 == 0 else {}
        record(village_worker, extra, **figures)
    expected_run = scans.scan_run_inline(trigger="manual", scope="620423", as_of=TODAY)
    expected = _alerts()
    assert expected_run.alerts_opened + len(expected) > 0

    runs = [scans.scan_start(trigger="manual", scope="620423", as_of=TODAY) for _ in range(2)]
    wait_for(
        lambda: ScanRun.objects.filter(pk__in=[r.pk for r in runs], status="finished").count() == 2,
        message="two concurrent scans",
    )
    assert _alerts() == expected
    again = scans.scan_start(trigger="manual", scope="620423", as_of=TODAY)
    wait_for(
        lambda: ScanRun.objects.get(pk=again.pk).status == "finished", message="the third scan"
    )
    finished = ScanRun.objects.get(pk=again.pk)
    assert (finished.alerts_opened, finished.alerts_updated, finished.alerts_resolved) == (0, 0, 0)
    assert finished.households_judged == 13
    assert _alerts() == expected


def test_an_area_signal_through_the_api_is_ranked_by_the_worker(
    celery_worker, api_client_user, township_cadre, household
):
    """The batch answers at once; the worker ranks the area's households after it commits and
    tells the township (monitoring.tasks.area_event_list)."""
    from rest_framework.test import APIClient

    from monitoring.models import AreaEvent, Notification

    client = APIClient()
    client.force_authenticate(api_client_user)
    item = {
        "source": "emergency",
        "external_id": "W1",
        "kind": "disaster_area",
        "region_code": "620423100000",
        "occurred_on": TODAY.isoformat(),
    }
    response = client.post("/api/v1/signals/", {"items": [item]}, format="json")
    assert response.status_code == 200 and response.json()[0]["result"] == "matched"
    event = AreaEvent.objects.get()
    listed = wait_for(
        lambda: AreaEvent.objects.filter(pk=event.pk, listed_at__isnull=False).first(),
        message="the area's list",
    )
    assert listed.listing_requested_at is None
    assert list(listed.tasks.values_list("household_id", flat=True)) == [household.pk]
    assert Notification.objects.filter(user=township_cadre, message_key="area_event").count() == 1
    household.refresh_from_db()
    wait_for(
        lambda: (
            "affected_area"
            in {r["code"] for r in Household.objects.get(pk=household.pk).risk_reasons}
        ),
        message="the low note of the affected area",
    )


def test_a_sweep_that_fills_its_batch_queues_the_next_until_none_wait(
    celery_worker, township_cadre
):
    """An imported file or an area event over a township leaves more households waiting than a
    sweep judges: the sweep that filled its batch queues the next at once, rather than leaving
    the rest to the beat's next turn, five minutes on, a batch a turn."""
    waiting = [
        household_services.household_create(
            actor=township_cadre, village_code="620423100200", poverty_status="ordinary"
        ).pk
        for _ in range(7)
    ]
    pending = Household.objects.filter(pk__in=waiting, evaluation_pending_since__isnull=False)
    wait_for(lambda: not pending.exists(), message="the households' own evaluations")
    # None of their own tasks left to take the seven along (a task judges up to 200 waiting).
    workers.wait_until_worker_idle()
    workers.purge_queues()
    Household.objects.filter(pk__in=waiting).update(
        evaluation_pending_since=timezone.now(), recheck_on=None
    )

    evaluate_pending.apply_async([3])  # three a sweep: 3, then 3, then the last one

    wait_for(lambda: not pending.exists(), message="the sweeps")
    assert not Household.objects.filter(pk__in=waiting, recheck_on__isnull=True).exists()
