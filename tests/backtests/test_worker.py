"""A backtest started through the API is replayed by a real worker on the scans queue."""

from backtests.models import BacktestRun
from tests.conftest import client_for, committed_db
from tests.workers import wait_for

pytestmark = committed_db


def test_the_worker_replays_a_queued_run(celery_worker, history, county_officer):
    client = client_for(county_officer)
    body = {
        "region": "620423",
        "period_start": "2025-07",
        "period_end": "2026-02",
        "horizon_months": 3,
    }
    answer = client.post("/api/v1/backtests/", body, content_type="application/json")
    assert answer.status_code == 202, answer.content
    run_id = answer.json()["id"]
    run = wait_for(
        lambda: BacktestRun.objects.filter(pk=run_id, status="done").first(),
        timeout=120,
        message="the finished run",
    )
    assert run.months_done == 8
    overall = run.figures["configs"]["A"]["all"]
    assert (overall["flagged"], overall["hits"], overall["lead_days_median"]) == (2, 1, 61)
