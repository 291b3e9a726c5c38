"""From visits to alerts: opened, updated, resolved, never duplicated."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from households.models import Household
from monitoring import scans
from monitoring.models import Alert, AlertEvent, AlertStatus, IncomeLine
from monitoring.services import alerts as alert_services
from tests.conftest import committed_db
from tests.monitoring.conftest import REGISTERED, TODAY, poor_figures, record

pytestmark = pytest.mark.django_db


def evaluate(household):
    scans.evaluate_one(household.pk, as_of=TODAY)
    household.refresh_from_db()


def test_income_below_the_line_opens_one_alert_with_its_evidence(village_worker, household):
    record(village_worker, household, **poor_figures())
    evaluate(household)
    alert = Alert.objects.get(household=household)
    assert alert.status == AlertStatus.OPEN and alert.level == "high"
    reason = next(r for r in alert.reasons if r["code"] == "income_below_line")
    assert reason["evidence"] == {
        "per_capita_income": "5000.00",
        "line": "6000.00",
        "line_year": 2021,
    }
    assert household.risk_level == "high" and household.evaluation_pending_since is None
    evaluate(household)
    evaluate(household)
    assert Alert.objects.filter(household=household).count() == 1
    assert AlertEvent.objects.filter(alert=alert).count() == 1  # opened, nothing since


def test_low_reasons_show_on_the_household_but_open_no_alert(village_worker, household):
    record(
        village_worker,
        household,
        wage_income=Decimal("7000"),
        business_income=Decimal("9000"),
        property_income=Decimal("0"),
        transfer_income=Decimal("10000"),
    )  # 6,500 a person
    evaluate(household)
    assert household.risk_level == "low"
    assert [r["code"] for r in household.risk_reasons] == ["income_near_line"]
    assert not Alert.objects.exists()


def test_an_alert_whose_reasons_stop_firing_is_resolved_with_a_note(village_worker, household):
    record(
        village_worker, household, **poor_figures(visited_on=TODAY - datetime.timedelta(days=20))
    )
    evaluate(household)
    record(village_worker, household, visited_on=TODAY)  # back above the line
    evaluate(household)
    alert = Alert.objects.get(household=household)
    assert alert.status == AlertStatus.RESOLVED and alert.closed_at
    assert list(alert.timeline.values_list("action", flat=True)) == ["opened", "auto_resolved"]
    assert household.risk_level == "none"


def test_changed_reasons_update_the_same_alert(village_worker, household):
    record(
        village_worker, household, **poor_figures(visited_on=TODAY - datetime.timedelta(days=20))
    )
    evaluate(household)
    record(village_worker, household, **poor_figures(visited_on=TODAY, safe_water_ok=False))
    evaluate(household)
    alert = Alert.objects.get(household=household)
    assert set(alert.reason_codes) >= {"income_below_line", "guarantee_gap"}
    assert list(alert.timeline.values_list("action", flat=True)) == ["opened", "reasons_changed"]


def test_a_confirmed_alert_is_left_to_the_case_workflow(village_worker, township_cadre, household):
    record(village_worker, household, **poor_figures())
    evaluate(household)
    alert = Alert.objects.get()
    alert = alert_services.alert_assign(
        actor=township_cadre, alert=alert, version=alert.version, assignee_id=village_worker.pk
    )
    alert = alert_services.alert_verify(
        actor=village_worker, alert=alert, version=alert.version, result="true", findings="入户核实"
    )
    alert_services.alert_confirm(actor=township_cadre, alert=alert, version=alert.version)
    record(village_worker, household, visited_on=TODAY)
    evaluate(household)
    assert Alert.objects.get().status == AlertStatus.CONFIRMED
    assert Alert.objects.count() == 1


def test_a_self_report_keeps_the_alert_open_until_a_cadre_decides(village_worker, household):
    record(village_worker, household)  # nothing wrong by the numbers
    alert = alert_services.self_report_record(
        actor=village_worker, household_id=household.pk, report="家中老人住院，费用难以承担"
    )
    assert alert.source == "self_report"
    evaluate(household)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.reason_codes == ["self_report"]


def test_the_household_uses_its_nearest_regions_line(village_worker, household):
    IncomeLine.objects.create(
        region_id="620000000000", year=2026, amount=Decimal("7600"), is_demo=True
    )
    record(
        village_worker,
        household,
        wage_income=Decimal("16000"),
        business_income=Decimal("8000"),
        property_income=Decimal("0"),
        transfer_income=Decimal("4000"),
    )  # 7,000 a person
    evaluate(household)
    reason = next(r for r in household.risk_reasons if r["code"] == "income_below_line")
    assert reason["evidence"]["line"] == "7600.00" and reason["evidence"]["line_year"] == 2026
    IncomeLine.objects.create(region_id="620423000000", year=2026, amount=Decimal("6800"))
    evaluate(household)
    assert [r["code"] for r in household.risk_reasons] == ["income_near_line"]


def test_a_scan_judges_every_household_in_scope_and_twice_changes_nothing(
    village_worker, household, other_township_household
):
    record(village_worker, household, **poor_figures())
    first = scans.scan_run_inline(trigger="manual", scope="620423", as_of=TODAY)
    assert first.status == "finished" and first.households_judged == 2 and first.alerts_opened >= 1
    snapshot = list(
        Alert.objects.order_by("id").values("household_id", "status", "reasons", "score")
    )
    second = scans.scan_run_inline(trigger="manual", scope="620423", as_of=TODAY)
    assert second.alerts_opened == second.alerts_updated == second.alerts_resolved == 0
    assert (
        list(Alert.objects.order_by("id").values("household_id", "status", "reasons", "score"))
        == snapshot
    )


def test_scan_queries_grow_with_chunks_not_households(
    village_worker, township_cadre, django_assert_max_num_queries
):
    from households import services

    for _ in range(3):
        services.household_create(
            actor=township_cadre, village_code="620423100200", poverty_status="ordinary"
        )
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        scans.scan_run_inline(trigger="manual", scope="620423100", as_of=TODAY)
    for _ in range(30):
        services.household_create(
            actor=township_cadre, village_code="620423100200", poverty_status="ordinary"
        )
    with CaptureQueriesContext(connection) as many:
        scans.scan_run_inline(trigger="manual", scope="620423100", as_of=TODAY)
    assert len(many) <= len(few) + 2  # the alerts inserted in bulk add a statement or two


def test_a_scan_opens_warnings_with_their_events_in_as_many_statements_for_two_as_for_eight(
    village_worker, township_cadre
):
    """The warnings a chunk opens and their "opened" events are written in one statement (issue
    21), with the columns the model would have given them and the village the trigger fills."""
    from django.test.utils import CaptureQueriesContext

    from households import services

    def poor_households(n):
        for _ in range(n):
            created = services.household_create(
                actor=township_cadre, village_code="620423100200", poverty_status="ordinary"
            )
            Household.objects.filter(pk=created.pk).update(created_at=REGISTERED)
            record(village_worker, created, **poor_figures())
        return created

    poor_households(2)
    with CaptureQueriesContext(connection) as few:
        first = scans.scan_run_inline(trigger="manual", scope="620423100", as_of=TODAY)
    last = poor_households(8)
    with CaptureQueriesContext(connection) as many:
        second = scans.scan_run_inline(trigger="manual", scope="620423100", as_of=TODAY)
    assert (first.alerts_opened, second.alerts_opened) == (2, 8)
    assert len(many) == len(few)
    alert = Alert.objects.get(household=last)
    assert (alert.status, alert.source, alert.village_id) == ("open", "rules", "620423100200")
    assert (alert.version, alert.self_report, alert.close_note) == (1, "", "")
    assert alert.assignee_id is None and alert.closed_at is None
    assert alert.reason_codes == [reason["code"] for reason in alert.reasons]
    event = alert.timeline.get()
    assert (event.action, event.actor_id, event.note) == ("opened", None, "")
    assert event.data == {"as_of": TODAY.isoformat(), "reasons": alert.reason_codes}
    last.refresh_from_db()
    assert last.risk_level == alert.level and last.risk_reasons[0]["code"] == "income_below_line"


@committed_db
def test_two_scans_at_once_leave_the_same_alerts_as_one(
    village_worker, township_cadre, household, other_township_household
):
    record(village_worker, household, **poor_figures())
    record(township_cadre, household, **poor_figures(visited_on=TODAY, safe_housing_ok=False))

    def scan():
        try:
            scans.scan_run_inline(trigger="manual", scope="620423", as_of=TODAY)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    alerts = Alert.objects.filter(status__in=["open"])
    assert alerts.count() == 1
    assert set(alerts.get().reason_codes) >= {"income_below_line", "guarantee_gap"}
    assert Household.objects.get(pk=household.pk).risk_level == "high"


def test_a_dismissed_warning_is_not_raised_again_for_the_same_reasons(
    village_worker, township_cadre, household
):
    record(village_worker, household, **poor_figures())
    evaluate(household)
    alert = Alert.objects.get()
    alert_services.alert_dismiss(
        actor=township_cadre, alert=alert, version=alert.version, reason="收入已核实，漏报务工收入"
    )
    evaluate(household)
    assert Alert.objects.count() == 1
    record(village_worker, household, **poor_figures(visited_on=TODAY, safe_water_ok=False))
    evaluate(household)  # a new reason: a new warning
    assert Alert.objects.filter(status="open").count() == 1


def test_the_nightly_scan_judges_only_households_whose_verdict_may_have_changed(
    village_worker, household, other_township_household
):
    scans.scan_run_inline(trigger="manual", scope="620423", as_of=TODAY)
    quiet = scans.scan_run_inline(trigger="nightly", scope="620423", as_of=TODAY, only_due=True)
    assert quiet.households_judged == 0 and quiet.chunks_total == 0
    record(village_worker, household, **poor_figures(visited_on=TODAY))
    after_visit = scans.scan_run_inline(
        trigger="nightly", scope="620423", as_of=TODAY, only_due=True
    )
    assert after_visit.households_judged == 1 and after_visit.alerts_opened == 1
    household.refresh_from_db()
    later = household.recheck_on
    due = scans.scan_run_inline(trigger="nightly", scope="620423", as_of=later, only_due=True)
    assert due.households_judged >= 1


def test_an_income_drop_compares_the_latest_visit_with_the_one_before_it(village_worker, household):
    # Three visits: the oldest as poor as the latest, so only the one in between makes a drop.
    record(
        village_worker, household, **poor_figures(visited_on=TODAY - datetime.timedelta(days=60))
    )
    record(village_worker, household, visited_on=TODAY - datetime.timedelta(days=30))
    record(village_worker, household, **poor_figures(visited_on=TODAY))
    scans.scan_run_inline(trigger="manual", scope="620423", as_of=TODAY)
    household.refresh_from_db()
    reason = next(r for r in household.risk_reasons if r["code"] == "income_drop")
    assert reason["evidence"]["per_capita_income"] == "5000.00"
    assert reason["evidence"]["previous_per_capita_income"] == "12000.00"
