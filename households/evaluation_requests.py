"""Asking for a household to be judged again, in a way a broker outage cannot lose.

The request is written to the household (`evaluation_pending_since`) in the caller's transaction;
after commit the engine's task is queued by name. The task judges every household marked, its own
first, and one finding its own already judged has nothing left to do: a burst of visits costs a
few evaluations of many households, not one each (monitoring.scans.evaluate_requested). If the
broker is down the request still succeeds: the periodic sweep finds the pending household and
judges it once the broker is back.
"""

from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.db.models import Expression, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import queueing
from core.arrays import any_id
from households.models import Household

MARK_CHUNK = 5000


def request_evaluation(household_id: int) -> None:
    """Mark the household for evaluation and queue it when the transaction commits."""
    request_evaluations([household_id])


def request_evaluations(
    household_ids: list[int],
    *,
    sweep_past: int | None = None,
    refreshing: Mapping[str, Expression] | None = None,
    marked_new: Sequence[int] = (),
    queue: bool = True,
) -> None:
    """Mark many households in one UPDATE; one task each after commit. With `sweep_past`, more
    households than that (a file imported) are left to one sweep, which judges every household
    marked pending, the oldest request first, rather than a task each. `refreshing`: other
    columns of the households the same UPDATE writes (their cached facts), so that each row is
    written once. `marked_new`: households the caller wrote marked (`mark_new_households`),
    queued with the others and not written again. Without `queue`, only marked: the caller
    queues the sweep (an area event's list, written a batch at a time)."""
    # Every household's row written, a pending one too (its first request's time kept): the row
    # lock held to our commit orders this request with any evaluation. One that locked the
    # household first finishes before we mark it, so it cannot clear our mark having missed our
    # change; one that comes after waits for our commit and sees the change.
    marked = Coalesce(F("evaluation_pending_since"), Value(timezone.now()))
    # In slices: an area event's county of households is one call, and a statement of a
    # hundred thousand ids would be parsed and planned as one.
    ordered = sorted(set(household_ids))
    for start in range(0, len(ordered), MARK_CHUNK):
        chunk = ordered[start : start + MARK_CHUNK]
        rows = Household.objects.filter(any_id("id", chunk))
        with transaction.atomic(savepoint=False):
            if len(chunk) > 1:
                # Locked by id first, the order every scan's chunk and claim locks households in:
                # an UPDATE of thousands locks them in its plan's order (a bitmap scan's, the
                # table's), and could deadlock with a scan (an area event's close, an import).
                list(
                    rows.select_for_update(no_key=True).order_by("id").values_list("id", flat=True)
                )
            rows.update(evaluation_pending_since=marked, **(refreshing or {}))
    if not queue:
        return
    queued = [*household_ids, *marked_new]
    if sweep_past is not None and len(queued) > sweep_past:
        queueing.enqueue_after_commit(queueing.EVALUATE_PENDING, [], "celery")
        return

    def enqueue() -> None:
        today = timezone.localdate().isoformat()
        for household_id in queued:
            queueing.enqueue(queueing.EVALUATE_HOUSEHOLD, [household_id, today], "interactive")

    if queued:
        transaction.on_commit(enqueue)


def mark_new_households(households: Iterable[Household]) -> None:
    """Households about to be written for the first time, marked for evaluation in the row they
    are written with rather than by a second write (an imported file's new households). No row
    lock is needed: nobody sees them before the commit. Once written, the caller queues them
    (`request_evaluations(marked_new=…)`)."""
    now = timezone.now()
    for household in households:
        household.evaluation_pending_since = now
