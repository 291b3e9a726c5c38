"""Asking for a household to be judged again, in a way a broker outage cannot lose.

The request is written to the household (`evaluation_pending_since`) in the caller's transaction;
after commit a task is queued. If the broker is down the request still succeeds: the periodic
sweep finds the pending household and judges it once the broker is back.
"""

import logging

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from households.models import Household

logger = logging.getLogger(__name__)


def _enqueue(task, args: list, queue: str) -> None:
    try:
        # No publish retries: a village worker's request must not hang on a dead broker.
        task.apply_async(args=args, queue=queue, retry=False)
    except (OperationalError, OSError) as error:
        logger.warning("broker unavailable, %s left for the sweep: %s", task.name, error)


def request_evaluation(household_id: int) -> None:
    """Mark the household for evaluation and queue it when the transaction commits."""
    from monitoring.tasks import evaluate_household

    Household.objects.filter(pk=household_id, evaluation_pending_since__isnull=True).update(
        evaluation_pending_since=timezone.now()
    )
    transaction.on_commit(
        lambda: _enqueue(
            evaluate_household, [household_id, timezone.localdate().isoformat()], "interactive"
        )
    )


def request_evaluations(household_ids: list[int]) -> None:
    """request_evaluation for many households: one UPDATE, one task each after commit."""
    from monitoring.tasks import evaluate_household

    Household.objects.filter(pk__in=household_ids, evaluation_pending_since__isnull=True).update(
        evaluation_pending_since=timezone.now()
    )

    def enqueue() -> None:
        today = timezone.localdate().isoformat()
        for household_id in household_ids:
            _enqueue(evaluate_household, [household_id, today], "interactive")

    transaction.on_commit(enqueue)


def enqueue_after_commit(task, args: list, queue: str) -> None:
    transaction.on_commit(lambda: _enqueue(task, args, queue))
