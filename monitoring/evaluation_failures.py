"""Households whose evaluation fails: recorded and left out of the others' evaluations for a while
(monitoring.models.EvaluationFailure); the evaluation that judges one forgets it
(monitoring.engine.evaluation)."""

import traceback
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models.functions import Now

from monitoring.models import EvaluationFailure

# The wait after the first failure, doubled at each one after, up to the longest: a bug fixed and
# deployed is tried again within the hour, and until then it costs one try an hour.
FIRST_WAIT_MINUTES = 5
LONGEST_WAIT_MINUTES = 60

# One statement, safe when two workers record the same household at once. The household is marked
# waiting first (its row locked before the failure's, the order every evaluation locks them in):
# one a scan judged is then tried again by the sweep once its wait is over, and its next
# evaluation, whichever it is, writes it and forgets the failure (monitoring.engine.evaluation).
# The time is the clock's, not the transaction's start: a scan's chunk may have run for minutes.
# The wait is counted from the failures before this one.
RECORD_SQL = """
WITH marked AS (
    UPDATE households_household
    SET evaluation_pending_since = coalesce(evaluation_pending_since, clock_timestamp())
    WHERE id = %(household)s
    RETURNING id
)
INSERT INTO monitoring_evaluationfailure AS f (
    household_id, error, failures, first_failed_at, last_failed_at, retry_after
)
SELECT marked.id, %(error)s, 1, t.at, t.at, t.at + make_interval(mins => %(first)s)
FROM marked, (SELECT clock_timestamp() AS at) AS t
ON CONFLICT (household_id) DO UPDATE SET
    error = EXCLUDED.error,
    failures = f.failures + 1,
    last_failed_at = EXCLUDED.last_failed_at,
    retry_after = EXCLUDED.last_failed_at + make_interval(
        mins => least(%(first)s * power(2, least(f.failures, 10))::integer, %(longest)s)
    )
RETURNING f.failures
"""


def described(error: BaseException) -> str:
    """The exception's class and the innermost place in the project's code it passed through,
    e.g. `ZeroDivisionError at monitoring/engine/rules.py:162 income_drop`. Never the message: a
    message may quote a value of the household's (an amount, a name), and this row is read by
    operators and the metrics."""
    kind = type(error).__qualname__
    base = Path(settings.BASE_DIR).resolve()
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.startswith("<"):  # `<string>`, `<frozen …>`: code with no file of ours
            continue
        path = Path(frame.filename).resolve()
        if path.is_relative_to(base) and ".venv" not in path.relative_to(base).parts:
            return f"{kind} at {path.relative_to(base)}:{frame.lineno} {frame.name}"[:200]
    return kind[:200]


def failure_record(household_id: int, error: BaseException) -> int:
    """The failure recorded; how many the household has had in a row, this one included (0 when
    the household is gone)."""
    with connection.cursor() as cursor:
        cursor.execute(
            RECORD_SQL,
            {
                "household": household_id,
                "error": described(error),
                "first": FIRST_WAIT_MINUTES,
                "longest": LONGEST_WAIT_MINUTES,
            },
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def failures_retry_now() -> int:
    """Every failing household tried again by the next sweep (a fix just deployed); how many."""
    return EvaluationFailure.objects.update(retry_after=Now())
