"""The backtest of the early warning at the bench's scale: the rules replayed at 24 month-ends
over the whole county (every household, chunks of 5,000, the scan's loader with its date cut),
configuration A beside a proposed B, then measured against enrolments and shocks.

The bench county's visits reach back three years, one a quarter per household (bench/load.py),
so the 24 month-ends before AS_OF each see the visits made by then.
"""

import time

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from backtests import replay
from bench.common import sized

MONTHS = sized(24, 2)
PROPOSED: dict[str, dict] = {
    "income_near_line": {"severity": "medium"},
    "income_drop": {"params": {"drop": "0.2"}},
}


def measure_backtest() -> dict:
    from bench.run import AS_OF

    last = replay.add_months(AS_OF, -1)
    first = replay.add_months(last, -(MONTHS - 1))
    done: list[float] = []
    started = time.monotonic()

    def progress(months: int) -> None:
        done.append(time.monotonic() - started)

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        figures = replay.backtest(
            prefix="620423",
            first=first,
            last=last,
            horizon=12,
            today=AS_OF,
            proposed=PROPOSED,
            progress=progress,
        )
    seconds = time.monotonic() - started
    chunks = -(-figures["households"] // replay.CHUNK_SIZE)
    return {
        "backtest_seconds": round(seconds, 1),
        "backtest_month_ends": len(figures["month_ends"]),
        "backtest_households": figures["households"],
        "backtest_configurations": len(figures["configs"]),
        "backtest_seconds_per_month_end": round(seconds / len(figures["month_ends"]), 2),
        "backtest_queries": len(queries),
        "backtest_queries_per_chunk_month": round(
            len(queries) / max(chunks * len(figures["month_ends"]), 1), 1
        ),
        "backtest_flagged_a": figures["configs"]["A"]["all"]["flagged"],
        "backtest_flagged_b": figures["configs"]["B"]["all"]["flagged"],
        "backtest_enrolments": figures["enrolments"],
        "backtest_replay_seconds": round(done[-1], 1) if done else None,
    }
