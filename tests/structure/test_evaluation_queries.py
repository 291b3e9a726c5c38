"""The evaluation after one visit costs a fixed number of statements, however much the household
has: visits, members, events, warnings (issue 21: the p95 of `scans.evaluate_one` is paid per
round trip far more than per row)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from households.models import Household
from monitoring import scans
from monitoring.engine import facts
from monitoring.engine.facts import households_in
from monitoring.engine.policy import Policy
from monitoring.models import Alert, IncomeLine, ScanRun
from tests.conftest import committed_db
from tests.monitoring.conftest import REGISTERED, poor_figures, record

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 6, 30)
# The policy's fingerprint, the waiting signals matched, the households locked, their facts, the
# side facts (events, registry events, signals, screenings, capacity) and their warnings.
READS = 6
# evaluate_one's transaction is the test's savepoint here: its two statements are the test's.
SAVEPOINT = 2


@pytest.fixture(autouse=True)
def pinned_today():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 10, 0, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def household(household):
    """Registered back in 2021, so that it can have a visit history."""
    Household.objects.filter(pk=household.pk).update(created_at=REGISTERED)
    household.refresh_from_db()
    return household


def statements(household) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        scans.evaluate_one(household.pk, as_of=TODAY)
    return [query["sql"] for query in captured.captured_queries]


def test_one_evaluation_reads_in_a_fixed_number_of_statements(village_worker, household):
    Policy.current()  # the policy as a running worker has it
    record(
        village_worker, household, **poor_figures(visited_on=TODAY - datetime.timedelta(days=40))
    )
    first = statements(household)
    # Its verdict cached on the household; a warning opened with its event, in one statement.
    assert len(first) == READS + SAVEPOINT + 2, first
    assert Alert.objects.filter(household=household).count() == 1
    # Nothing changed since: nothing written, the household's many indexes untouched.
    assert len(statements(household)) == READS + SAVEPOINT

    # More of everything the loaders read: the same statements.
    for days in (20, 10, 1):
        record(
            village_worker,
            household,
            events=[{"kind": "illness", "occurred_on": TODAY - datetime.timedelta(days=days)}],
            **poor_figures(visited_on=TODAY - datetime.timedelta(days=days), safe_water_ok=False),
        )
    again = statements(household)
    # The verdict changed (the latest visit's figures and events): the household and its
    # warning written, the warning's event added.
    assert len(again) == READS + SAVEPOINT + 3, again
    assert len(statements(household)) == READS + SAVEPOINT


def test_a_change_of_policy_costs_its_reload_once(village_worker, household):
    record(village_worker, household)
    scans.evaluate_one(household.pk, as_of=TODAY)
    IncomeLine.objects.create(region_id="620423000000", year=2026, amount=Decimal("6100"))
    # The four policy tables read again, once.
    assert len(statements(household)) == READS + SAVEPOINT + 4
    assert len(statements(household)) == READS + SAVEPOINT


def test_a_scan_chunk_finds_its_households_once(village_worker, household):
    """A scan's chunk is a township's households among an id range (monitoring.scans._chunks).
    That filter runs once, in the statement that locks them; every later statement reads the
    ids it returned (a subquery a statement was a tenth of a chunk at 1,000,000 households)."""
    record(village_worker, household, **poor_figures(visited_on=TODAY))
    township = household.village_id[:9]
    run = ScanRun.objects.create(
        scope=township, trigger=ScanRun.Trigger.MANUAL, as_of=TODAY, chunks_total=1
    )
    with CaptureQueriesContext(connection) as captured:
        outcome = scans.scan_chunk(
            run.pk, scope=township, id_from=household.pk, id_to=household.pk, as_of=TODAY
        )
    assert outcome.judged == 1 and outcome.opened == 1
    sqls = [query["sql"] for query in captured.captured_queries]
    filtered = [sql for sql in sqls if f"LIKE '{township}%'" in sql]
    assert len(filtered) == 1 and "FOR UPDATE" in filtered[0], filtered
    by_ids = [sql for sql in sqls if f"'{{{household.pk}}}'::bigint[]" in sql]
    # The facts, the side facts, the warnings.
    assert len(by_ids) == 3, sqls


@committed_db  # SET LOCAL ends with the transaction, not with a savepoint
def test_a_chunk_of_many_households_is_planned_without_jit_or_parallel_workers(
    village_worker, household, monkeypatch
):
    """From MANY_HOUSEHOLDS on, the rest of the chunk's transaction runs without JIT and
    parallel workers (monitoring.engine.facts); one evaluation leaves the server's settings."""

    def settings_after_evaluating() -> tuple[str, str]:
        with transaction.atomic():
            scans.evaluate_one(household.pk, as_of=TODAY)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('jit'), "
                    "current_setting('max_parallel_workers_per_gather')"
                )
                return cursor.fetchone()

    record(village_worker, household, **poor_figures(visited_on=TODAY))
    with connection.cursor() as cursor:  # known values to come back to, whatever the server's
        cursor.execute("SET jit = on; SET max_parallel_workers_per_gather = 2")
    try:
        assert settings_after_evaluating() == ("on", "2")
        monkeypatch.setattr(facts, "MANY_HOUSEHOLDS", 1)
        assert settings_after_evaluating() == ("off", "0")
        with connection.cursor() as cursor:  # SET LOCAL: gone with the transaction
            cursor.execute(
                "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')"
            )
            assert cursor.fetchone() == ("on", "2")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit; RESET max_parallel_workers_per_gather")


@committed_db  # autocommit, as the replay runs
def test_a_chunk_read_outside_a_transaction_sends_no_settings(household, monkeypatch):
    """The backtest reads without locking, in autocommit: a SET LOCAL would end with its own
    statement, so none is sent."""
    monkeypatch.setattr(facts, "MANY_HOUSEHOLDS", 1)
    with CaptureQueriesContext(connection) as captured:
        facts.load_facts(
            households_in(ids=[household.pk]), as_of=TODAY, policy=Policy.current(), lock=False
        )
    assert not any("SET LOCAL" in query["sql"] for query in captured.captured_queries)
