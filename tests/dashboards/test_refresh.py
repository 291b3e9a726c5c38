"""The refresh counts every figure once per village and rolls it up exactly."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from assistance.services import measures as measure_services
from assistance.services.measures import MeasurePlan
from dashboards.models import Figure, FigureRefresh
from dashboards.refresh import figures_refresh, trend_start
from households.models import Household
from tests.conftest import (
    HOME_COUNTY,
    HOME_TOWNSHIP,
    HOME_VILLAGE,
    OTHER_TOWNSHIP_VILLAGE,
    committed_db,
)

from .conftest import walk_identification

pytestmark = pytest.mark.django_db


def figure(region: str, metric: str, key: str = "", month=None) -> int:
    row = Figure.objects.filter(region_code=region, metric=metric, key=key, month=month).first()
    return row.value if row else 0


def test_trend_start_is_the_first_day_of_the_month_23_months_back():
    assert trend_start(datetime.date(2026, 11, 23)) == datetime.date(2024, 12, 1)
    assert trend_start(datetime.date(2026, 1, 31)) == datetime.date(2024, 2, 1)


def test_households_are_counted_by_village_and_rolled_up_to_every_level(
    household, other_township_household
):
    result = figures_refresh(as_of=datetime.date(2026, 3, 2))

    assert not result.skipped
    assert figure(HOME_VILLAGE, "households", "lifted_out") == 1
    assert figure(HOME_TOWNSHIP, "households", "lifted_out") == 1
    assert figure(HOME_TOWNSHIP, "households", "ordinary") == 0
    assert figure(OTHER_TOWNSHIP_VILLAGE, "households", "ordinary") == 1
    assert figure(HOME_COUNTY, "households", "lifted_out") == 1
    assert figure(HOME_COUNTY, "households", "ordinary") == 1
    assert figure("620000000000", "households", "ordinary") == 1
    assert FigureRefresh.objects.get().rows == Figure.objects.count()


def test_a_case_walked_to_enrolment_is_counted_everywhere_it_shows(
    case, clock, village_worker, township_cadre, county_officer, partner_org
):
    walk_identification(
        case,
        clock,
        village_worker=village_worker,
        township_cadre=township_cadre,
        county_officer=county_officer,
    )
    case.refresh_from_db()
    measure = measure_services.measure_create(
        actor=township_cadre,
        case=case,
        plan=MeasurePlan(
            kind="health",
            title="大病保险二次报销",
            responsible_id=township_cadre.pk,
            planned_start=clock.today(),
            partner_id=partner_org.pk,
            planned_amount=Decimal("3000"),
        ),
    )
    measure_services.measure_record_delivery(
        actor=township_cadre,
        measure=measure,
        version=measure.version,
        status="delivered",
        actual_start=clock.today(),
        actual_end=clock.today(),
        delivered_amount=Decimal("2800"),
        result="报销到账",
    )
    month = clock.today().replace(day=1)

    figures_refresh(as_of=clock.today())

    assert figure(HOME_TOWNSHIP, "case_state", "enrolled") == 1
    assert figure(HOME_TOWNSHIP, "monitored_category", "unstable") == 1
    assert figure(HOME_TOWNSHIP, "monitored_risk_type", "illness") == 1
    assert figure(HOME_TOWNSHIP, "monitored_covered") == 1
    assert figure(HOME_COUNTY, "measure_kind_status", "health|delivered") == 1
    partner_key = f"{partner_org.pk}|delivered"
    assert figure(HOME_COUNTY, "measure_partner_status", partner_key) == 1
    assert Figure.objects.get(
        region_code=HOME_COUNTY, metric="measure_partner_status", key=partner_key
    ).amount == Decimal("2800.00")
    assert figure(HOME_COUNTY, "partner_households", str(partner_org.pk)) == 1
    # The funnel of the month: the warning opened, was confirmed and became an enrolled case.
    assert figure(HOME_COUNTY, "trend_alerts", month=month) == 1
    assert figure(HOME_COUNTY, "trend_confirmed", month=month) == 1
    assert figure(HOME_COUNTY, "trend_enrolled", month=month) == 1
    assert figure(HOME_COUNTY, "trend_delivered", month=month) == 1
    assert figure(HOME_COUNTY, "trend_visits", month=month) == 1
    # The warning became the case: it is no longer an open warning.
    assert (
        figure(HOME_COUNTY, "open_alerts", "high") + figure(HOME_COUNTY, "open_alerts", "medium")
        == 0
    )


def test_an_open_warning_is_counted_by_level_and_by_each_reason(confirmed_alert):
    figures_refresh(as_of=datetime.date(2026, 3, 2))

    assert figure(HOME_VILLAGE, "open_alerts", confirmed_alert.level) == 1
    for code in confirmed_alert.reason_codes:
        assert figure(HOME_TOWNSHIP, "open_alert_reasons", code) == 1


def test_overdue_visits_and_case_steps_are_counted_as_of_the_refresh_day(case, household):
    Household.objects.filter(pk=household.pk).update(next_visit_due=datetime.date(2026, 3, 1))

    figures_refresh(as_of=datetime.date(2026, 3, 2))
    assert figure(HOME_VILLAGE, "overdue_visits", "other") == 1
    assert Figure.objects.filter(region_code=HOME_VILLAGE, metric="overdue_steps").count() == 0

    figures_refresh(as_of=datetime.date(2026, 3, 20))
    # The consent was due two days after the proposal: it is the one step overdue.
    assert figure(HOME_VILLAGE, "overdue_steps", "consent") == 1


def test_refreshing_again_replaces_the_figures_rather_than_adding_to_them(household):
    figures_refresh(as_of=datetime.date(2026, 3, 2))
    figures_refresh(as_of=datetime.date(2026, 3, 2))

    assert figure(HOME_COUNTY, "households", "lifted_out") == 1
    assert Figure.objects.filter(region_code=HOME_COUNTY, metric="households").count() == 1


@committed_db
def test_a_refresh_started_while_another_runs_is_skipped_and_changes_nothing(household):
    figures_refresh(as_of=datetime.date(2026, 3, 2))
    holding = threading.Event()
    release = threading.Event()

    def hold_the_lock():
        from django.db import connection as own

        with own.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x4458_4442])
            holding.set()
            release.wait(10)
            cursor.execute("COMMIT")
        own.close()

    thread = threading.Thread(target=hold_the_lock)
    thread.start()
    try:
        assert holding.wait(10)
        result = figures_refresh(as_of=datetime.date(2026, 3, 2))
    finally:
        release.set()
        thread.join()

    assert result.skipped
    assert FigureRefresh.objects.count() == 1
    assert figure(HOME_COUNTY, "households", "lifted_out") == 1
    assert connection.is_usable()
