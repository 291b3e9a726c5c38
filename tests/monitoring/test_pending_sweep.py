"""The sweep of households whose evaluation was asked for and not made: the oldest requests first,
at most its batch, and never a household another transaction holds (a second sweep at once, a
visit being recorded). Through the queue, a sweep that fills its batch queues the next one
(tests/monitoring/test_worker.py). A household whose evaluation fails holds back no other: not in
a sweep, a visit's evaluation or a scan's chunk; recorded, it is left out of the others'
evaluations for a while that doubles at each failure, and tried again after it."""

import contextlib
import datetime
import io
import threading

import psycopg
import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone

from core import queueing
from households import services as household_services
from households.models import Household
from monitoring import evaluation_failures, scans, tasks
from monitoring.engine import rules
from monitoring.engine.evaluation import evaluate_households
from monitoring.evaluation_failures import failure_record
from monitoring.models import EvaluationFailure, ScanRun
from tests import workers
from tests.conftest import committed_db

VILLAGE = "620423100200"


def _waiting(actor, count: int) -> list[int]:
    """`count` households marked as waiting, the first asked for first (a minute apart)."""
    ids = [
        household_services.household_create(
            actor=actor, village_code=VILLAGE, poverty_status="ordinary"
        ).pk
        for _ in range(count)
    ]
    asked = timezone.now() - datetime.timedelta(hours=1)
    for minutes, household_id in enumerate(ids):
        Household.objects.filter(pk=household_id).update(
            evaluation_pending_since=asked + datetime.timedelta(minutes=minutes), recheck_on=None
        )
    return ids


def _judged(ids: list[int]) -> list[int]:
    return sorted(
        Household.objects.filter(
            pk__in=ids, evaluation_pending_since__isnull=True, recheck_on__isnull=False
        ).values_list("pk", flat=True)
    )


@contextlib.contextmanager
def _lock_timeout():
    """A wait for a lock fails the test within seconds instead of hanging it."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


def test_a_sweep_judges_its_batch_the_oldest_requests_first(db, township_cadre):
    ids = _waiting(township_cadre, 5)

    assert scans.evaluate_pending(limit=2) == scans.Sweep(claimed=2, judged=2)
    assert _judged(ids) == ids[:2]

    assert scans.evaluate_pending(limit=10) == scans.Sweep(claimed=3, judged=3)
    assert _judged(ids) == ids
    assert scans.evaluate_pending(limit=10) == scans.Sweep(claimed=0, judged=0)


@committed_db
def test_a_sweep_leaves_a_household_another_transaction_holds_and_judges_the_rest(
    township_cadre,
):
    ids = _waiting(township_cadre, 4)
    held = ids[0]  # the oldest request: the first a sweep would take

    with workers.row_locked("households_household", held), _lock_timeout():
        assert scans.evaluate_pending(limit=10).judged == 3  # without waiting for the holder
    assert _judged(ids) == ids[1:]

    assert scans.evaluate_pending(limit=10).judged == 1
    assert _judged(ids) == ids


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    sent: list[tuple] = []
    monkeypatch.setattr(queueing, "enqueue", lambda *task: sent.append(task))
    return sent


def test_the_sweep_task_queues_the_next_sweep_after_a_full_batch_only(db, township_cadre, queued):
    _waiting(township_cadre, 5)

    assert tasks.evaluate_pending(2) == 2  # a full batch: more may wait
    assert queued == [(queueing.EVALUATE_PENDING, [2], "celery")]

    assert tasks.evaluate_pending(4) == 3  # the rest: nothing more to queue
    assert tasks.evaluate_pending(4) == 0
    assert tasks.evaluate_pending(0) == 0  # a batch of none is no chain of empty sweeps
    assert queued == [(queueing.EVALUATE_PENDING, [2], "celery")]


def test_the_usual_batch_is_queued_as_the_beat_sends_it(db, township_cadre, queued, monkeypatch):
    """With no argument: a worker still running the code from before the task had a parameter
    (a rolling deploy) runs it too."""
    monkeypatch.setattr(scans, "SWEEP_BATCH", 2)
    _waiting(township_cadre, 3)

    assert tasks.evaluate_pending(2) == 2
    assert queued == [(queueing.EVALUATE_PENDING, [], "celery")]


def test_a_full_batch_with_a_failing_household_still_queues_the_next_sweep(
    db, township_cadre, queued, monkeypatch
):
    ids = _waiting(township_cadre, 5)
    _failing_for(monkeypatch, ids[0], ZeroDivisionError("a case no rule foresaw"))

    assert tasks.evaluate_pending(3) == 2  # three taken, one of them failed
    assert queued == [(queueing.EVALUATE_PENDING, [3], "celery")]

    assert tasks.evaluate_pending(3) == 2  # the last two: the failing one waits out its failure
    assert tasks.evaluate_pending(3) == 0  # only the failing one waits: no more sweeps
    assert len(queued) == 1


def _failing_for(monkeypatch, household_id: int, error: Exception) -> None:
    """The rules fail on this household's facts, as on facts no rule foresaw."""
    judge = rules.evaluate_planned

    def failing(facts, as_of, planned):
        if facts.household_id == household_id:
            raise error
        return judge(facts, as_of, planned)

    monkeypatch.setattr(rules, "evaluate_planned", failing)


@pytest.fixture(autouse=True)
def frames_not_logged(monkeypatch) -> None:
    """Each test a worker process that has logged no bug's frames yet (the set is a process's)."""
    monkeypatch.setattr(scans, "_FRAMES_LOGGED", set())


@pytest.fixture
def batches(monkeypatch) -> list[int]:
    """The size of each batch the scans module has the engine judge."""
    judge, sizes = evaluate_households, []

    def counted(households, **kwargs):
        sizes.append(households.count())
        return judge(households, **kwargs)

    monkeypatch.setattr(scans, "evaluate_households", counted)
    return sizes


def _the_failure_line(caplog) -> tuple[str, str]:
    """(level, message) of the one failure line logged."""
    ((level, message),) = [
        (record.levelname, record.message)
        for record in caplog.records
        if "failed" in record.message
    ]
    return level, message


def _wait_over(household_id: int) -> None:
    EvaluationFailure.objects.filter(pk=household_id).update(
        retry_after=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_a_household_whose_evaluation_fails_holds_back_no_other_and_keeps_waiting(
    db, township_cadre, monkeypatch, caplog, batches
):
    ids = _waiting(township_cadre, 8)
    failing = ids[0]  # the oldest request: first in every batch
    asked = Household.objects.get(pk=failing).evaluation_pending_since
    fixed = rules.evaluate_planned
    _failing_for(monkeypatch, failing, ZeroDivisionError("a case no rule foresaw"))

    assert scans.evaluate_pending(limit=10) == scans.Sweep(claimed=8, judged=7)
    assert _judged(ids) == ids[1:]
    # Halved down to the household that fails: 8, 4 and 4, 2 and 2, 1 and 1.
    assert batches == [8, 4, 2, 1, 1, 2, 4]
    assert f"evaluation of household {failing} failed (1 in a row, ZeroDivisionError at" in (
        caplog.text
    )
    assert 'File "' in caplog.text  # the frames, once a process
    assert "a case no rule foresaw" not in caplog.text  # never the message
    assert [record.levelname for record in caplog.records if "failed" in record.message] == [
        "ERROR"
    ]
    # Still waiting, from its first request: the pending-age alert sees it.
    assert Household.objects.get(pk=failing).evaluation_pending_since == asked

    failure = EvaluationFailure.objects.get(pk=failing)
    assert failure.failures == 1
    assert failure.retry_after - failure.last_failed_at == datetime.timedelta(minutes=5)

    # A visit recorded meanwhile: its evaluation leaves the failing household out while it
    # waits, so it is one batch of one, with no error.
    caplog.clear()
    batches.clear()
    (visited,) = _waiting(township_cadre, 1)
    Household.objects.filter(pk=visited).update(evaluation_pending_since=timezone.now())
    assert scans.evaluate_requested(visited, as_of=timezone.localdate()).judged == 1
    assert _judged([visited]) == [visited]
    assert batches == [1]
    assert "failed" not in caplog.text
    assert scans.evaluate_pending(limit=10) == scans.Sweep(claimed=0, judged=0)

    # Its wait over, the next sweep tries it, alone, after the others waiting with it in one go
    # (not their batch in halves down to it again): failed again, the wait doubles.
    _wait_over(failing)
    later = _waiting(township_cadre, 3)
    batches.clear()
    assert scans.evaluate_pending(limit=10) == scans.Sweep(claimed=4, judged=3)
    assert batches == [3, 1]
    assert _judged(later) == later
    failure.refresh_from_db()
    assert failure.failures == 2
    assert failure.retry_after - failure.last_failed_at == datetime.timedelta(minutes=10)
    # The error once, with its frames; a warning line at each try after it.
    level, message = _the_failure_line(caplog)
    assert level == "WARNING"
    assert message.startswith(f"evaluation of household {failing} failed (2 in a row, ")
    assert message.endswith(" the others are judged")  # no frames: once a process

    # The bug fixed: the next try judges it and forgets the failure.
    monkeypatch.setattr(rules, "evaluate_planned", fixed)
    _wait_over(failing)
    assert scans.evaluate_pending(limit=10) == scans.Sweep(claimed=1, judged=1)
    assert _judged([failing]) == [failing]
    assert not EvaluationFailure.objects.exists()

    # Later another bug: its first failure is an error again, with the new bug's frames.
    caplog.clear()
    _failing_for(monkeypatch, failing, KeyError("another case"))
    Household.objects.filter(pk=failing).update(evaluation_pending_since=timezone.now())
    assert scans.evaluate_pending(limit=10) == scans.Sweep(claimed=1, judged=0)
    level, message = _the_failure_line(caplog)
    assert level == "ERROR"
    assert "failed (1 in a row, KeyError at" in message
    assert 'File "' in message
    assert "another case" not in caplog.text  # never the message

    # The same bug in another household: its own error line, without the frames again.
    caplog.clear()
    (other,) = _waiting(township_cadre, 1)
    _failing_for(monkeypatch, other, KeyError("another case"))
    assert scans.evaluate_pending(limit=10) == scans.Sweep(claimed=1, judged=0)
    level, message = _the_failure_line(caplog)
    assert level == "ERROR"
    assert message.startswith(f"evaluation of household {other} failed (1 in a row, KeyError at")
    assert message.endswith(" the others are judged")


def test_the_wait_doubles_up_to_an_hour(db, household):
    waits = []
    for _ in range(7):
        failure_record(household.pk, ZeroDivisionError())
        failure = EvaluationFailure.objects.get(pk=household.pk)
        waits.append((failure.retry_after - failure.last_failed_at).total_seconds() / 60)
    assert waits == [5, 10, 20, 40, 60, 60, 60]
    assert failure.failures == 7


def test_the_record_names_the_error_and_its_place_never_its_message(
    db, township_cadre, monkeypatch
):
    (failing,) = _waiting(township_cadre, 1)
    _failing_for(monkeypatch, failing, ValueError("per-capita income 4321.50 of 张三"))

    scans.evaluate_pending(limit=10)

    error = EvaluationFailure.objects.get(pk=failing).error
    assert error.startswith("ValueError at tests/monitoring/test_pending_sweep.py:")
    assert error.endswith(" failing")
    assert "4321" not in error and "张三" not in error


@committed_db
def test_two_workers_recording_one_household_at_once_make_one_row(household):
    results = workers.at_once(lambda: failure_record(household.pk, ZeroDivisionError()), times=2)

    assert sorted(results) == [1, 2]
    assert EvaluationFailure.objects.get(pk=household.pk).failures == 2


def test_operators_list_the_failing_households_and_have_them_tried_again(
    db, township_cadre, monkeypatch
):
    (failing,) = _waiting(township_cadre, 1)
    _failing_for(monkeypatch, failing, ZeroDivisionError("a case no rule foresaw"))
    scans.evaluate_pending(limit=10)
    number = Household.objects.get(pk=failing).number

    out = io.StringIO()
    call_command("evaluation_failures", stdout=out)
    assert f"household {failing} (number {number}, village {VILLAGE}): failed 1 times" in (
        out.getvalue()
    )
    assert "ZeroDivisionError at " in out.getvalue()
    assert scans.evaluate_pending(limit=10).claimed == 0  # waiting out its failure

    out = io.StringIO()
    call_command("evaluation_failures", "--retry", stdout=out)
    assert "1 tried again at the next sweep." in out.getvalue()
    assert scans.evaluate_pending(limit=10).claimed == 1


def test_with_no_failure_the_command_says_so(db):
    out = io.StringIO()
    call_command("evaluation_failures", stdout=out)
    assert out.getvalue() == "No household's evaluation is failing.\n"


def test_a_visited_household_whose_evaluation_fails_is_left_waiting(
    db, township_cadre, monkeypatch
):
    (visited,) = _waiting(township_cadre, 1)
    _failing_for(monkeypatch, visited, ZeroDivisionError("a case no rule foresaw"))

    assert scans.evaluate_requested(visited, as_of=timezone.localdate()).judged == 0
    assert Household.objects.get(pk=visited).evaluation_pending_since is not None

    # Visited again while it waits out the failure: its own evaluation tries it all the same.
    assert scans.evaluate_requested(visited, as_of=timezone.localdate()).judged == 0
    assert EvaluationFailure.objects.get(pk=visited).failures == 2


def test_a_lost_connection_is_raised_for_the_task_to_try_again(db, township_cadre, monkeypatch):
    ids = _waiting(township_cadre, 3)
    _failing_for(monkeypatch, ids[1], OperationalError("server closed the connection"))

    with pytest.raises(OperationalError):
        scans.evaluate_pending(limit=10)
    assert _judged(ids) == []


@committed_db
def test_two_sweeps_at_once_share_the_waiting_households(township_cadre):
    """The beat's sweep and a queued one at the same moment: each household judged by one."""
    ids = _waiting(township_cadre, 12)

    results = workers.at_once(lambda: scans.evaluate_pending(limit=12), times=2)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(result.judged for result in results) == 12
    assert _judged(ids) == ids


def test_a_scan_judges_its_chunk_without_the_household_whose_evaluation_fails(
    db, township_cadre, monkeypatch, caplog, batches
):
    """A rule changed, a county scan: one household the rules cannot judge, and the run still
    finishes, every other household judged, rather than failing its chunk for ever."""
    ids = _waiting(township_cadre, 6)
    Household.objects.filter(pk__in=ids).update(evaluation_pending_since=None)
    failing = ids[3]
    fixed = rules.evaluate_planned
    _failing_for(monkeypatch, failing, ZeroDivisionError("a case no rule foresaw"))

    run = scans.scan_run_inline(trigger="manual", scope=VILLAGE, as_of=timezone.localdate())

    assert run.status == "finished"
    assert run.households_judged == Household.objects.filter(village_id=VILLAGE).count() - 1
    judged = Household.objects.filter(pk__in=ids, recheck_on__isnull=False)
    assert sorted(judged.values_list("pk", flat=True)) == [i for i in ids if i != failing]
    assert f"evaluation of household {failing} failed" in caplog.text
    assert EvaluationFailure.objects.filter(pk=failing).exists()

    # The next scan judges it apart, alone, and the rest of its chunk in one go, rather than
    # halving the chunk down to it again.
    batches.clear()
    households = Household.objects.filter(village_id=VILLAGE).count()
    run = scans.scan_run_inline(trigger="manual", scope=VILLAGE, as_of=timezone.localdate())
    assert run.households_judged == households - 1
    assert batches == [households - 1, 1]
    assert EvaluationFailure.objects.get(pk=failing).failures == 2

    # Failed in a scan, it waits to be judged again: the sweep tries it once its wait is over,
    # and, the bug fixed, the failure is forgotten.
    assert Household.objects.get(pk=failing).evaluation_pending_since is not None
    assert scans.evaluate_pending(limit=10) == scans.Sweep(claimed=0, judged=0)
    call_command("evaluation_failures", "--retry", stdout=io.StringIO())
    monkeypatch.setattr(rules, "evaluate_planned", fixed)
    assert scans.evaluate_pending(limit=10) == scans.Sweep(claimed=1, judged=1)
    assert not EvaluationFailure.objects.exists()


@committed_db
def test_a_chunk_with_a_failing_household_locks_its_households_in_one_pass_by_id(township_cadre):
    """A chunk of the same range that read the failures a moment apart (a second scan, a
    redelivery) locks in the same order, so the two cannot deadlock: the chunk waiting for its
    first household, the failing one, holds none of the others."""
    ids = _waiting(township_cadre, 3)
    failure_record(ids[0], ZeroDivisionError())
    today = timezone.localdate()
    run = ScanRun.objects.create(trigger="manual", as_of=today, chunks_total=1)
    outcomes: list = []

    def chunk():
        try:
            outcomes.append(
                scans.scan_chunk(
                    run.pk, scope=VILLAGE[:9], id_from=ids[0], id_to=ids[-1], as_of=today
                )
            )
        finally:
            connection.close()

    scanning = threading.Thread(target=chunk)
    with workers.row_locked("households_household", ids[0]):
        scanning.start()
        workers.wait_for(
            lambda: workers.worker_backends_waiting_on_a_lock("dixian-web"),
            timeout=30,
            message="the chunk waiting for its failing household",
        )
        with psycopg.connect(workers.test_database_url()) as other:
            other.execute(
                "SELECT id FROM households_household WHERE id = ANY(%s) FOR UPDATE NOWAIT",
                [ids[1:]],
            )
    scanning.join(timeout=60)

    assert [outcome.judged for outcome in outcomes] == [3]
    assert not EvaluationFailure.objects.exists()


def test_whichever_evaluation_judges_a_failing_household_forgets_its_failure(db, household):
    failure_record(household.pk, ZeroDivisionError())
    assert Household.objects.get(pk=household.pk).evaluation_pending_since is not None

    scans.evaluate_one(household.pk, as_of=timezone.localdate())  # a demo's, a bench's

    assert not EvaluationFailure.objects.exists()
    assert Household.objects.get(pk=household.pk).evaluation_pending_since is None


def test_code_with_no_file_of_ours_is_not_named_as_the_place():
    try:
        exec(compile("1 / 0", "<string>", "exec"))  # noqa: S102 - a frame with no file
    except ZeroDivisionError as error:
        described = evaluation_failures.described(error)
    assert described.startswith("ZeroDivisionError at tests/monitoring/test_pending_sweep.py:")
    assert "<string>" not in described
    assert evaluation_failures.described(KeyError("620423199001011234")) == "KeyError"
