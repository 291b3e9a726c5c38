"""The policy kept between evaluations (Policy.current) is never older than the tables it reads.

An evaluation after a visit no longer reloads the income lines, standards, cadences and rule
settings each time: a process keeps them under a fingerprint of their history tables, read in one
statement. These tests change the tables by every road a county has (the ORM, an update in bulk,
raw SQL, another connection as another process is) and expect the very next evaluation to judge
by the change.
"""

import datetime
from decimal import Decimal

import psycopg
import pytest
from django.db import connection, transaction

from monitoring import scans
from monitoring.engine.policy import Policy
from monitoring.engine.rules import default_settings
from monitoring.models import IncomeLine, RuleConfig, VisitCadence
from tests.conftest import committed_db
from tests.monitoring.conftest import TODAY, record

pytestmark = pytest.mark.django_db

# 6,500 yuan a person: near the 6,000 line (low), below a line of 7,000 (high).
NEAR_THE_LINE = {
    "wage_income": Decimal("7000"),
    "business_income": Decimal("9000"),
    "property_income": Decimal("0"),
    "transfer_income": Decimal("10000"),
}


def codes(household) -> list[str]:
    scans.evaluate_one(household.pk, as_of=TODAY)
    household.refresh_from_db()
    return [reason["code"] for reason in household.risk_reasons]


def test_the_policy_is_kept_while_nothing_changes():
    assert Policy.current() is Policy.current()


def test_a_line_changed_by_an_update_in_bulk_is_seen_by_the_next_evaluation(
    village_worker, household
):
    record(village_worker, household, **NEAR_THE_LINE)
    assert codes(household) == ["income_near_line"]
    kept = Policy.current()
    # No service, no model save: what the admin's bulk actions and an import do.
    IncomeLine.objects.filter(year=2021, region=None).update(amount=Decimal("7000"))
    assert Policy.current() is not kept
    assert "income_below_line" in codes(household)


def test_a_line_added_then_deleted_is_seen_each_time(village_worker, household):
    record(village_worker, household, **NEAR_THE_LINE)
    assert codes(household) == ["income_near_line"]
    line = IncomeLine.objects.create(region_id="620423000000", year=2026, amount=Decimal("7000"))
    assert "income_below_line" in codes(household)
    line.delete()
    assert codes(household) == ["income_near_line"]


def test_a_rule_switched_off_in_raw_sql_is_seen_by_the_next_evaluation(village_worker, household):
    record(village_worker, household, **NEAR_THE_LINE)
    assert codes(household) == ["income_near_line"]
    default = default_settings()["income_near_line"]
    RuleConfig.objects.create(
        code="income_near_line", enabled=True, severity=default.severity, weight=default.weight
    )
    assert codes(household) == ["income_near_line"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE monitoring_ruleconfig SET enabled = false WHERE code = 'income_near_line'"
        )
    assert codes(household) == []


def test_a_change_rolled_back_is_not_kept(village_worker, household):
    record(village_worker, household, **NEAR_THE_LINE)
    assert codes(household) == ["income_near_line"]
    with pytest.raises(RuntimeError), transaction.atomic():
        IncomeLine.objects.filter(year=2021, region=None).update(amount=Decimal("7000"))
        assert "income_below_line" in codes(household)
        raise RuntimeError
    assert codes(household) == ["income_near_line"]


def test_a_cadence_changed_is_seen_by_the_next_evaluation(village_worker, household):
    record(village_worker, household)
    scans.evaluate_one(household.pk, as_of=TODAY)
    household.refresh_from_db()
    before = household.next_visit_due
    VisitCadence.objects.update_or_create(region=None, kind="lifted_out", defaults={"days": 10})
    scans.evaluate_one(household.pk, as_of=TODAY)
    household.refresh_from_db()
    assert household.next_visit_due == TODAY - datetime.timedelta(days=1) + datetime.timedelta(
        days=10
    )
    assert household.next_visit_due != before


@committed_db
def test_a_line_changed_by_another_process_is_seen_by_the_next_evaluation(
    village_worker, household
):
    record(village_worker, household, **NEAR_THE_LINE)
    assert codes(household) == ["income_near_line"]
    # A connection of its own, as a worker or the admin of another process has: this process's
    # kept policy knows nothing of it but what the database says.
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute(
            "UPDATE monitoring_incomeline SET amount = 7000 WHERE year = 2021 AND region_id IS NULL"
        )
    assert "income_below_line" in codes(household)


@committed_db
def test_a_change_committed_after_a_later_numbered_one_is_seen():
    """Two writers at once: the one whose history row has the earlier number commits last. The
    latest number is the same before and after its commit; the policy must be loaded again."""
    IncomeLine.objects.create(region_id="620423000000", year=2026, amount=Decimal("6500"))
    IncomeLine.objects.create(region_id="620421000000", year=2026, amount=Decimal("6500"))
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as first, psycopg.connect(**params, autocommit=True) as second:
        first.execute(
            "UPDATE monitoring_incomeline SET amount = 7100 WHERE region_id = '620423000000'"
        )
        second.execute(
            "UPDATE monitoring_incomeline SET amount = 7200 WHERE region_id = '620421000000'"
        )
        kept = Policy.current()
        assert kept.income_line("620423100201", TODAY).amount == Decimal("6500")
        first.commit()
    assert Policy.current().income_line("620423100201", TODAY).amount == Decimal("7100")
